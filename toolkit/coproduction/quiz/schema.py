"""JSON schemas for self-check files: the author's copy and the sealed copy."""

SCHEMA_VERSION = 1

_ID = {
    "type": "string",
    "pattern": "^[a-z0-9][a-z0-9-]*$",
    "description": "may use only lowercase letters, digits and hyphens",
}
_TEXT = {"type": "string", "minLength": 1}
_HEX = {"type": "string", "pattern": "^[0-9a-f]{64}$", "description": "must be a sealed answer"}

# --- the author's copy (kept under solutions/, answers in plain text) -------

_OPTION = {
    "type": "object",
    "required": ["text", "feedback"],
    "additionalProperties": False,
    "properties": {"text": _TEXT, "correct": {"type": "boolean"}, "feedback": _TEXT},
}
_ITEM = {
    "type": "object",
    "required": ["text", "category", "feedback"],
    "additionalProperties": False,
    "properties": {"text": _TEXT, "category": _TEXT, "feedback": _TEXT, "hint": _TEXT},
}
_CHOICE_Q = {
    "type": "object",
    "required": ["id", "kind", "prompt", "options"],
    "additionalProperties": False,
    "properties": {
        "id": _ID, "kind": {"const": "choice"}, "prompt": _TEXT,
        "options": {"type": "array", "minItems": 2, "maxItems": 6, "items": _OPTION},
    },
}
_SORT_Q = {
    "type": "object",
    "required": ["id", "kind", "prompt", "categories", "items"],
    "additionalProperties": False,
    "properties": {
        "id": _ID, "kind": {"const": "sort"}, "prompt": _TEXT,
        "categories": {"type": "array", "minItems": 2, "maxItems": 5, "items": _TEXT},
        "items": {"type": "array", "minItems": 2, "items": _ITEM},
    },
}


def _file(question_schemas: dict) -> dict:
    return {
        "type": "object",
        "required": ["schema_version", "id", "title", "questions"],
        "additionalProperties": False,
        "properties": {
            "schema_version": {"const": SCHEMA_VERSION},
            "id": _ID,
            "title": _TEXT,
            "salt": {"type": "string", "pattern": "^[0-9a-f]{32}$",
                     "description": "must be 32 hexadecimal characters"},
            "questions": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "required": ["kind"],
                    "properties": {"kind": {"enum": sorted(question_schemas)}},
                    # Pick the schema by kind so errors speak about the right fields.
                    "allOf": [
                        {"if": {"properties": {"kind": {"const": kind}}},
                         "then": schema}
                        for kind, schema in question_schemas.items()
                    ],
                },
            },
        },
    }


SOURCE = _file({"choice": _CHOICE_Q, "sort": _SORT_Q})

# --- the sealed copy (shipped to trainees, answers only as salted hashes) ---

_SEALED_CHOICE = {
    "type": "object",
    "required": ["id", "kind", "prompt", "options", "answer", "feedback"],
    "additionalProperties": False,
    "properties": {
        "id": _ID, "kind": {"const": "choice"}, "prompt": _TEXT,
        "options": {"type": "array", "minItems": 2, "items": _TEXT},
        "answer": _HEX,
        "feedback": {"type": "array", "items": _TEXT},
    },
}
_SEALED_ITEM = {
    "type": "object",
    "required": ["text", "answer", "feedback"],
    "additionalProperties": False,
    "properties": {"text": _TEXT, "answer": _HEX, "feedback": _TEXT, "hint": _TEXT},
}
_SEALED_SORT = {
    "type": "object",
    "required": ["id", "kind", "prompt", "categories", "items"],
    "additionalProperties": False,
    "properties": {
        "id": _ID, "kind": {"const": "sort"}, "prompt": _TEXT,
        "categories": {"type": "array", "minItems": 2, "items": _TEXT},
        "items": {"type": "array", "minItems": 2, "items": _SEALED_ITEM},
    },
}
SEALED = _file({"choice": _SEALED_CHOICE, "sort": _SEALED_SORT})
SEALED["required"] = SEALED["required"] + ["salt"]
