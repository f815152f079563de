"""Co-production training toolkit.

The helper package behind the course notebooks: branching case scenarios,
self-checks, the trainee's journal, the shipped datasets and the trainer's
command line. Importing the package is cheap on purpose: pandas, matplotlib,
ipywidgets and nbgrader are only imported by the functions that need them.
"""

__version__ = "0.1.0"
