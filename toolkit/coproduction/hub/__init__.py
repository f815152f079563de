"""Running cohorts on a JupyterHub: cohort lists into Unix accounts and groups."""

from .accounts import AccountError, Step, apply, groups, link, plan
from .roster import Member, read

__all__ = ["AccountError", "Member", "Step", "apply", "groups", "link", "plan", "read"]
