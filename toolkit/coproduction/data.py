"""The course's datasets, loaded by name into pandas.

>>> from coproduction import data
>>> policing = data.load("ward_policing")      # doctest: +SKIP
"""

from __future__ import annotations

from .paths import UnknownName, datasets_dir, unknown_message


def names() -> list[str]:
    """The datasets shipped with the course."""
    return sorted(p.stem for p in datasets_dir().glob("*.csv"))


def _file(name: str, suffix: str):
    path = datasets_dir() / f"{name}{suffix}"
    if not path.is_file():
        raise UnknownName(unknown_message("datasets", name, names()))
    return path


def load(name: str):
    """A shipped dataset as a pandas DataFrame, e.g. ``load("ward_policing")``."""
    import pandas as pd

    return pd.read_csv(_file(name, ".csv"))


def card(name: str) -> str:
    """The data card of a dataset (Markdown): what each column means and how it was made."""
    return _file(name, ".md").read_text(encoding="utf-8")


def show_card(name: str):
    """The data card, rendered in a notebook."""
    from IPython.display import Markdown

    return Markdown(card(name))
