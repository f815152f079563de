"""Read YAML course files and check them against a JSON schema.

Every problem is tied to the line it is on, using the line numbers that
ruamel.yaml keeps for each mapping key and list item, and is worded for a
course author rather than a programmer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

from .problems import CourseFileError, Problem, display_path, read_text

_TYPE_WORDS = {
    "object": "a set of named fields",
    "array": "a list",
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "null": "empty",
}


def read(path: str | Path) -> Any:
    """Parse a YAML file, keeping line numbers; raise CourseFileError if unreadable."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    shown = display_path(path)
    text = read_text(path)
    if not text.strip():
        raise CourseFileError([Problem(shown, 1, "", "the file is empty")])
    try:
        return YAML(typ="rt", pure=True).load(text)
    except MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark else 1
        what = (err.problem or err.context or "unreadable YAML").strip()
        raise CourseFileError(
            [Problem(shown, line, "", f"this is not valid YAML: {what}")]
        ) from None
    except YAMLError as err:
        raise CourseFileError([Problem(shown, 1, "", f"this is not valid YAML: {err}")]) from None


def line_of(data: Any, path: Iterable[Any]) -> int:
    """The 1-based line of the deepest part of ``path`` that exists in ``data``."""
    line = getattr(getattr(data, "lc", None), "line", 0)
    node = data
    for step in path:
        lc = getattr(node, "lc", None)
        try:
            if isinstance(node, dict) and step in node:
                if lc is not None:
                    line = lc.key(step)[0]
            elif isinstance(node, list) and isinstance(step, int) and step < len(node):
                if lc is not None:
                    line = lc.item(step)[0]
            else:
                break
        except (KeyError, IndexError, TypeError):
            break
        node = node[step]
    return line + 1


def field_name(data: Any, path: Iterable[Any]) -> str:
    """A readable name for a place in the file, e.g. ``nodes[2] 'start'.choices[0]``.

    Items of a list are named by their ``id`` where they have one, because
    authors think in ids, not positions.
    """
    parts: list[str] = []
    node = data
    for step in path:
        if isinstance(step, int):
            label = f"[{step + 1}]"
            try:
                item = node[step]
                if isinstance(item, dict) and isinstance(item.get("id"), str):
                    label = f"[{item['id']}]"
                node = item
            except (IndexError, KeyError, TypeError):
                node = None
            parts.append(label)
        else:
            parts.append(("." if parts else "") + str(step))
            try:
                node = node[step]
            except (KeyError, IndexError, TypeError):
                node = None
    return "".join(parts)


def _describe(value: Any) -> str:
    for name, kinds in (
        ("true or false", bool),
        ("a set of named fields", dict),
        ("a list", list),
        ("text", str),
        ("a number", (int, float)),
    ):
        if isinstance(value, kinds):
            return name
    return "empty" if value is None else type(value).__name__


def _message(error: Any) -> tuple[list[Any], str]:
    """Turn one jsonschema error into (path of the field, plain-words message)."""
    path = list(error.absolute_path)
    name = repr(path[-1]) if path and isinstance(path[-1], str) else "this item"
    kind = error.validator
    if kind == "required":
        missing = error.message.split("'")[1]
        return path + [missing], f"missing field '{missing}'"
    if kind == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        allowed = ", ".join(sorted(error.schema.get("properties", {})))
        return path + extra[:1], (
            f"unknown field '{', '.join(extra)}' (check the spelling; fields allowed here: {allowed})"
        )
    if kind == "type":
        wanted = error.validator_value
        wanted = wanted if isinstance(wanted, list) else [wanted]
        words = " or ".join(_TYPE_WORDS.get(w, w) for w in wanted)
        if not path:
            return path, f"the file should hold {words} at the top, but it holds {_describe(error.instance)}"
        return path, f"{name} should be {words}, but it is {_describe(error.instance)}"
    if kind == "enum":
        options = ", ".join(str(v) for v in error.validator_value)
        return path, f"{name} must be one of: {options} (it is {error.instance!r})"
    if kind == "const":
        return path, f"{name} must be {error.validator_value!r} (it is {error.instance!r})"
    if kind in ("minimum", "maximum"):
        lo, hi = error.schema.get("minimum"), error.schema.get("maximum")
        if lo is not None and hi is not None:
            return path, f"{name} must be between {lo} and {hi} (it is {error.instance})"
        limit = f"at least {lo}" if lo is not None else f"at most {hi}"
        return path, f"{name} must be {limit} (it is {error.instance})"
    if kind == "minItems":
        return path, f"{name} needs at least {error.validator_value} item(s)"
    if kind == "maxItems":
        return path, f"{name} may have at most {error.validator_value} item(s)"
    if kind == "minProperties":
        return path, f"{name} needs at least {error.validator_value} entry"
    if kind == "minLength":
        return path, f"{name} is empty"
    if kind == "pattern":
        hint = error.schema.get("description", "it does not have the expected form")
        return path, f"{name} {hint} (it is {error.instance!r})"
    return path, f"{name}: {error.message}"


def _validator_class():
    """jsonschema's Draft 2020-12 validator, imported without its IRI format grammar.

    When the optional package ``rfc3987_syntax`` is installed (Jupyter's own
    dependencies bring it), importing jsonschema builds about forty grammars
    for checking IRIs, which takes some three seconds: a trainee would wait
    that long for the first scenario or self-check in every notebook. Our
    schemas check no formats, so that one import is skipped; the package stays
    importable for anything else that asks for it afterwards.
    """
    import sys

    if "jsonschema" not in sys.modules and "rfc3987_syntax" not in sys.modules:
        sys.modules["rfc3987_syntax"] = None  # makes jsonschema's optional import fail
        try:
            from jsonschema import Draft202012Validator
        finally:
            del sys.modules["rfc3987_syntax"]
        return Draft202012Validator
    from jsonschema import Draft202012Validator

    return Draft202012Validator


def validate(data: Any, schema: dict, path: str | Path) -> list[Problem]:
    """Check ``data`` against ``schema``; return problems in file order."""
    Draft202012Validator = _validator_class()
    shown = display_path(path)
    problems = []
    for error in Draft202012Validator(schema).iter_errors(data):
        field_path, message = _message(error)
        problems.append(
            Problem(shown, line_of(data, field_path), field_name(data, field_path), message)
        )
    return sorted(set(problems), key=lambda p: (p.line, p.field, p.message))
