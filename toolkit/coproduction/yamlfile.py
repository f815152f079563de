"""Read YAML course files and check them against a JSON schema.

Every problem is tied to the line it is on, using the line numbers that
ruamel.yaml keeps for each mapping key and list item, and is worded for a
course author rather than a programmer.

A course file may come from anywhere (a colleague, a download), so ``read``
refuses, before anything else looks at the data, a file that is too large,
nests too deep, or uses YAML aliases (``*name``) to make a small file stand
for a huge one (the "billion laughs" trick). Each limit is far above what a
real scenario or self-check needs: the largest shipped file is about 70 KB,
about 2,400 items, 12 levels deep, with no aliases.
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


#: A course file larger than this is refused before it is parsed.
MAX_FILE_BYTES = 2 * 1024 * 1024
#: The most aliases (``*name``) a file may use.
MAX_ALIASES = 100
#: The most items (fields, list items and values) a file may hold, counting each
#: alias as the whole part it stands for.
MAX_ITEMS = 100_000
#: The deepest a file may nest lists and fields.
MAX_DEPTH = 50


class _Refused(Exception):
    """A limit of ``read`` was passed: the line (1-based) and what to tell the author."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line, self.message = line, message


def _guarded_composer():
    """ruamel.yaml's Composer, counting aliases, items and depth as it builds the file's nodes.

    The Composer turns parser events into nodes one at a time, and an alias
    there is only a reference to a node already built; the harm comes later,
    when the schema check and the lint walk every alias as a full copy. So
    the counts are kept here, where they cost nothing, and the file is refused
    at the first item over a limit: nothing after it is read.
    """
    from ruamel.yaml.composer import Composer
    from ruamel.yaml.events import AliasEvent

    class GuardedComposer(Composer):
        def compose_document(self) -> Any:
            self._aliases = 0
            self._items = 0  # items so far, each alias counted as all it stands for
            self._level = 0
            self._sizes: dict[int, int] = {}  # id(anchored node) -> items it stands for
            self._open: set[str] = set()  # anchors whose part is still being built
            return super().compose_document()

        def compose_node(self, parent: Any, index: Any) -> Any:
            event = self.parser.peek_event()
            line = event.start_mark.line + 1 if event.start_mark else 0
            if isinstance(event, AliasEvent):
                self._aliases += 1
                if self._aliases > MAX_ALIASES:
                    raise _Refused(line, f"the file uses more than {MAX_ALIASES} aliases "
                                         "(*name); write those parts out in full instead")
                if event.anchor in self._open:
                    raise _Refused(line, f"the alias *{event.anchor} is used inside the part "
                                         "it names, which would make that part endless")
                node = super().compose_node(parent, index)
                self._count(self._sizes.get(id(node), 1), line)
                return node
            self._level += 1
            if self._level > MAX_DEPTH:
                raise _Refused(line, f"the file nests lists and fields more than {MAX_DEPTH} "
                                     "levels deep; check the indentation and brackets here")
            before = self._items
            self._count(1, line)
            anchor = event.anchor
            if anchor is not None:
                # ruamel.yaml registers an anchor before building what it names, so an
                # alias to it from inside would make a loop; see the check above.
                self._open.add(anchor)
            try:
                node = super().compose_node(parent, index)
            finally:
                self._level -= 1
                self._open.discard(anchor)
            if anchor is not None:
                self._sizes[id(node)] = self._items - before
            return node

        def _count(self, items: int, line: int) -> None:
            self._items += items
            if self._items > MAX_ITEMS:
                if self._aliases:
                    raise _Refused(line, f"with its aliases (*name) filled in, the file holds "
                                         f"more than {MAX_ITEMS:,} items, far more than a "
                                         "course file needs; use fewer aliases")
                raise _Refused(line, f"the file holds more than {MAX_ITEMS:,} items (fields, "
                                     "list items and values), far more than a course file "
                                     "needs; split it into smaller files")

    return GuardedComposer


def read(path: str | Path) -> Any:
    """Parse a YAML file, keeping line numbers; raise CourseFileError if unreadable.

    A file larger than ``MAX_FILE_BYTES``, nested deeper than ``MAX_DEPTH``, using
    more than ``MAX_ALIASES`` aliases or holding more than ``MAX_ITEMS`` items
    with its aliases filled in is refused with one problem naming the file (and
    the line where the limit was passed), before anything else reads the data.
    """
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    shown = display_path(path)
    text = read_text(path, max_bytes=MAX_FILE_BYTES)
    if not text.strip():
        raise CourseFileError([Problem(shown, 1, "", "the file is empty")])
    yaml = YAML(typ="rt", pure=True)
    yaml.Composer = _guarded_composer()
    try:
        return yaml.load(text)
    except _Refused as err:
        raise CourseFileError([Problem(shown, err.line, "", err.message)]) from None
    except RecursionError:  # a last guard: the depth limit should stop this first
        raise CourseFileError([Problem(shown, 0, "", "the file nests lists and fields too "
                                                     "deeply to be read")]) from None
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
