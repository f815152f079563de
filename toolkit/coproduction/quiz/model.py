"""Self-checks: seal an author's answers into salted hashes, and mark attempts.

Sealing means the shipped file, and any notebook that shows it, holds no
answer in plain text: each correct answer is stored as a SHA-256 hash of a
per-file salt, the question id and the answer, and each piece of feedback is
scrambled with a key made from the option it belongs to, so it can only be
read once that option is chosen. This keeps answers from being read off the
page; it is not meant to stop someone who sets out to compute them.
"""

from __future__ import annotations

import base64
import hashlib
import random
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import yamlfile
from ..problems import CourseFileError, Problem, display_path
from . import schema


def _digest(*parts: str) -> bytes:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()


def answer_hash(salt: str, question_id: str, *answer: str) -> str:
    """The sealed form of an answer: hex SHA-256 of salt, question and answer."""
    return _digest("answer", salt, question_id, *answer).hex()


def _keystream(key: bytes, length: int) -> bytes:
    blocks = (hashlib.sha256(key + i.to_bytes(4, "big")).digest()
              for i in range(length // 32 + 1))
    return b"".join(blocks)[:length]


def seal_text(text: str, *key_parts: str) -> str:
    """Scramble ``text`` so it can only be read back with the same key parts."""
    raw = text.encode("utf-8")
    key = _digest("feedback", *key_parts)
    return base64.b64encode(bytes(a ^ b for a, b in zip(raw, _keystream(key, len(raw))))).decode()


def unseal_text(blob: str, *key_parts: str) -> str:
    """Read back text sealed with ``seal_text`` and the same key parts."""
    raw = base64.b64decode(blob)
    key = _digest("feedback", *key_parts)
    return bytes(a ^ b for a, b in zip(raw, _keystream(key, len(raw)))).decode("utf-8", "replace")


@dataclass(frozen=True)
class Mark:
    """The result of one attempt: right or not, and what to tell the trainee."""

    correct: bool
    feedback: str


@dataclass(frozen=True)
class ChoiceQuestion:
    """Pick one option; each option has its own feedback."""

    id: str
    prompt: str
    options: tuple[str, ...]
    answer: str
    feedback: tuple[str, ...]
    salt: str

    kind = "choice"

    def mark(self, option: str) -> Mark:
        """Mark choosing ``option`` (its text)."""
        index = self.options.index(option)
        correct = answer_hash(self.salt, self.id, option) == self.answer
        return Mark(correct, unseal_text(self.feedback[index], self.salt, self.id, option))


@dataclass(frozen=True)
class SortItem:
    text: str
    answer: str
    feedback: str
    hint: str = ""


@dataclass(frozen=True)
class SortQuestion:
    """Place each item in one of the categories."""

    id: str
    prompt: str
    categories: tuple[str, ...]
    items: tuple[SortItem, ...]
    salt: str

    kind = "sort"

    def mark_item(self, item: str, category: str) -> Mark:
        """Mark placing ``item`` in ``category``."""
        found = next(i for i in self.items if i.text == item)
        if answer_hash(self.salt, self.id, item, category) == found.answer:
            return Mark(True, unseal_text(found.feedback, self.salt, self.id, item, category))
        return Mark(False, found.hint or "Not this one. Think again about where it fits.")

    def mark(self, placements: dict[str, str]) -> dict[str, Mark]:
        """Mark a whole sorting: ``{item: category}`` to a mark per item."""
        return {item: self.mark_item(item, category) for item, category in placements.items()}


@dataclass(frozen=True)
class Check:
    """A self-check: a titled list of questions."""

    id: str
    title: str
    questions: tuple[ChoiceQuestion | SortQuestion, ...]
    salt: str


def _source_problems(data: Any, shown: str) -> list[Problem]:
    problems = []

    def add(path: list, message: str) -> None:
        problems.append(Problem(shown, yamlfile.line_of(data, path),
                                yamlfile.field_name(data, path), message))

    seen = set()
    for i, q in enumerate(data["questions"]):
        if q["id"] in seen:
            add(["questions", i, "id"], f"question id '{q['id']}' is used twice")
        seen.add(q["id"])
        if q["kind"] == "choice":
            right = [o for o in q["options"] if o.get("correct")]
            if len(right) != 1:
                add(["questions", i, "options"], f"question '{q['id']}' needs exactly one "
                    f"option with 'correct: true' (it has {len(right)})")
        else:
            for j, item in enumerate(q["items"]):
                if item["category"] not in q["categories"]:
                    add(["questions", i, "items", j, "category"],
                        f"'{item['category']}' is not one of this question's categories")
    return problems


def seal(source: str | Path, salt: str | None = None) -> dict:
    """Read an author's self-check (answers in plain text) and return the sealed form."""
    shown = display_path(source)
    data = yamlfile.read(source)
    problems = yamlfile.validate(data, schema.SOURCE, source) or _source_problems(data, shown)
    if problems:
        raise CourseFileError(problems)
    salt = salt or data.get("salt") or secrets.token_hex(16)
    questions = []
    for q in data["questions"]:
        qid = q["id"]
        if q["kind"] == "choice":
            # Authors tend to write the right answer first; shuffle the options
            # in an order fixed by the salt so their position gives nothing away.
            raw = list(q["options"])
            random.Random(f"{salt}:{qid}").shuffle(raw)
            right = next(str(o["text"]) for o in raw if o.get("correct"))
            questions.append({
                "id": qid, "kind": "choice", "prompt": str(q["prompt"]),
                "options": [str(o["text"]) for o in raw],
                "answer": answer_hash(salt, qid, right),
                "feedback": [seal_text(str(o["feedback"]), salt, qid, str(o["text"]))
                             for o in raw],
            })
        else:
            items = []
            for item in q["items"]:
                text, category = str(item["text"]), str(item["category"])
                sealed = {"text": text, "answer": answer_hash(salt, qid, text, category),
                          "feedback": seal_text(str(item["feedback"]), salt, qid, text, category)}
                if item.get("hint"):
                    sealed["hint"] = str(item["hint"])
                items.append(sealed)
            questions.append({"id": qid, "kind": "sort", "prompt": str(q["prompt"]),
                              "categories": [str(c) for c in q["categories"]], "items": items})
    return {"schema_version": schema.SCHEMA_VERSION, "id": data["id"],
            "title": str(data["title"]), "salt": salt, "questions": questions}


def load(path: str | Path) -> Check:
    """Load a sealed self-check file; CourseFileError if it is malformed."""
    data = yamlfile.read(path)
    problems = yamlfile.validate(data, schema.SEALED, path)
    if problems:
        raise CourseFileError(problems)
    salt = data["salt"]
    questions = []
    for q in data["questions"]:
        if q["kind"] == "choice":
            if len(q["feedback"]) != len(q["options"]):
                raise CourseFileError([Problem(display_path(path), yamlfile.line_of(
                    data, ["questions"]), q["id"], "feedback and options do not match: "
                    "seal the file again from its source")])
            questions.append(ChoiceQuestion(q["id"], str(q["prompt"]),
                                            tuple(str(o) for o in q["options"]), q["answer"],
                                            tuple(q["feedback"]), salt))
        else:
            items = tuple(SortItem(str(i["text"]), i["answer"], i["feedback"],
                                   str(i.get("hint") or "")) for i in q["items"])
            questions.append(SortQuestion(q["id"], str(q["prompt"]),
                                          tuple(str(c) for c in q["categories"]), items, salt))
    return Check(data["id"], str(data["title"]), tuple(questions), salt)
