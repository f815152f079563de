"""nbgrader settings for the course. Trainers run nbgrader and `coproduction` from this folder.

The design card's folders are nbgrader's own: the trainer's copies with
answers live in solutions/ (nbgrader's "source"), and what trainees receive
is generated into exercises/ (nbgrader's "release").
"""

import os

c = get_config()  # noqa: F821 - provided by nbgrader when it reads this file

c.CourseDirectory.course_id = "coproduction"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"

# The graded assignments are the folders in solutions/ (01-origins, ...);
# `coproduction release` with no names releases them all.

# A trainee's notebook gets this long per cell when graded; `coproduction
# autograde --timeout` also limits each whole submission.
c.Execute.timeout = 60
# One retry is enough to ride out a slow kernel start on a busy machine.
c.Execute.execute_retries = 1

# Keep what a runaway print can put into an autograded notebook small.
c.LimitOutput.max_lines = 200
c.LimitOutput.max_traceback = 50

# nbgrader's exchange, the folder through which released assignments and
# submissions pass, lives inside the course when the course runs on one machine
# (without it the formgrader shows a warning and cannot release). A hub sets
# its own shared exchange in hub/nbgrader_config.py.
c.Exchange.root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "exchange")
os.makedirs(c.Exchange.root, exist_ok=True)

# Files that are never part of an assignment.
c.CourseDirectory.ignore = [
    ".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "coproduction-journal.sqlite*",
]
