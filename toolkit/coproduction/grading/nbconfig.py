"""Reading a course's settings exactly as ``nbgrader autograde`` reads them.

A course made for plain nbgrader must grade the same here, so nothing of
nbgrader's reading is rebuilt: its own ``AutogradeApp`` loads the settings,
from the same places and in the same order (Jupyter's config folders, then
``nbgrader_config.py`` in the course folder, then the one in
``c.CourseDirectory.root`` if that moves the course, with ``--Class.trait=value``
settings on the command line above all). A course with no config file at all
gets nbgrader's defaults, as it does there.

The same reading also puts the course folder first on ``sys.path``, as
nbgrader does, so a late-penalty plugin or a hook kept beside the config
file can be imported.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from .course import CourseError


def nbgrader_argv(force: bool = False, notebook: str | None = None,
                  settings: list[str] | None = None) -> list[str]:
    """The command line nbgrader would get for these choices (``settings`` are
    ``--Class.trait=value`` items, passed on as they are)."""
    argv = list(settings or [])
    if force:
        argv.append("--force")
    if notebook:
        argv.append(f"--notebook={notebook}")
    return argv


def _check_settings(argv: list[str]) -> None:
    for item in argv:
        if item in ("--force", "-f") or item.startswith("--notebook="):
            continue
        name = item[2:].split("=", 1)[0] if item.startswith("--") else ""
        if "=" not in item or "." not in name:
            raise CourseError(f"'{item}' is not an nbgrader setting. Settings are written "
                              "--Class.name=value, for example --Execute.timeout=30.")


def _check_values(app, argv: list[str]) -> None:
    """Each --Class.name=value names a setting nbgrader has, with a value of its kind.

    traitlets reads such values only when the class is first used, which here is in
    the middle of grading; a typo would then fail every submission one by one.
    """
    classes = {cls.__name__: cls for cls in app._classes_inc_parents()}
    for item in argv:
        if not item.startswith("--") or "=" not in item or item.startswith("--notebook="):
            continue
        name, value = item[2:].split("=", 1)
        owner, _, trait_name = name.rpartition(".")
        cls = classes.get(owner)
        if cls is None:
            # The steps of grading (Execute, LimitOutput, ...) are not the app's own
            # classes; a class that is neither is left for traitlets to judge.
            from nbgrader import preprocessors

            cls = getattr(preprocessors, owner, None)
            if not isinstance(cls, type) or not hasattr(cls, "class_traits"):
                continue
        trait = cls.class_traits(config=True).get(trait_name)
        if trait is None:
            raise CourseError(f"nbgrader has no setting called {name} (in {item}).")
        try:
            trait.validate(None, trait.from_string(value))
        except Exception as err:
            raise CourseError(f"nbgrader could not use these settings: {item} ({err}).") from None


def load(folder: Path, argv: list[str]):
    """(config, course root) for the course in ``folder`` with nbgrader's command line
    ``argv``; a CourseError in plain words when a setting cannot be used."""
    from nbgrader.apps.autogradeapp import AutogradeApp
    from traitlets.config.loader import ConfigFileNotFound, PyFileConfigLoader

    _check_settings(argv)
    if (folder / "nbgrader_config.py").is_file():
        # nbgrader only logs a config file it cannot read and goes on without it;
        # grading a whole cohort with half the settings missing would be worse.
        try:
            PyFileConfigLoader("nbgrader_config.py", path=str(folder)).load_config()
        except ConfigFileNotFound:
            pass
        except Exception as err:
            raise CourseError(f"{folder / 'nbgrader_config.py'} has an error: {err}") from None
    here = os.getcwd()
    os.chdir(folder)  # nbgrader reads the config of, and puts on sys.path, the folder it runs in
    app = AutogradeApp()
    app.log.setLevel(logging.ERROR)  # "no config file found" is normal here
    try:
        app.initialize(argv)
    except SystemExit:
        raise CourseError("nbgrader could not use these settings: "
                          f"{' '.join(argv) or '(none)'}. Check each is written "
                          "--Class.name=value with a name nbgrader knows.") from None
    except Exception as err:  # a setting of the wrong kind, e.g. a word for a number
        raise CourseError(f"nbgrader could not use these settings ({err}).") from None
    finally:
        os.chdir(here)
    _check_values(app, argv)
    if app.extra_args:
        raise CourseError(f"Unexpected extra words: {' '.join(app.extra_args)}.")
    root = Path(app.coursedir.root)
    if not root.is_dir():
        raise CourseError(f"The course folder set in c.CourseDirectory.root, {root}, "
                          "does not exist.")
    config = app.config
    # The root nbgrader settled on, so every CourseDirectory made from this config agrees.
    config.CourseDirectory.root = str(root)
    return config, root
