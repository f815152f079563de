"""Trainer workflow on nbgrader's gradebook: release, parallel autograde, feedback, report."""

from .autograde import DEFAULT_TIMEOUT, Outcome, Run, autograde
from .course import Course, CourseError
from .release import feedback, release
from .report import report

__all__ = ["Course", "CourseError", "DEFAULT_TIMEOUT", "Outcome", "Run", "autograde",
           "feedback", "release", "report"]
