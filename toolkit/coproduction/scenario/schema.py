"""The JSON schema a scenario file must match (schema_version 1).

The schema checks shape only; references between nodes (a choice pointing at
a node that exists, unique ids) are checked in ``model`` where the whole file
is known, and questions of design (unreachable nodes, missing feedback) in
``lint``.
"""

SCHEMA_VERSION = 1

#: Cahn's four core values plus Respect, added later. Keys used in scenario files.
VALUES = ("assets", "redefining_work", "reciprocity", "social_networks", "respect")

#: How each value is named for a trainee.
VALUE_LABELS = {
    "assets": "Assets",
    "redefining_work": "Redefining work",
    "reciprocity": "Reciprocity",
    "social_networks": "Social networks",
    "respect": "Respect",
}

ENDINGS = ("partner", "mixed", "expert-provider")

_ID = {
    "type": "string",
    "pattern": "^[a-z0-9][a-z0-9-]*$",
    "description": "may use only lowercase letters, digits and hyphens",
}
_TEXT = {"type": "string", "minLength": 1}
_EFFECT = {"type": "integer", "minimum": -2, "maximum": 2}

CHOICE = {
    "type": "object",
    "required": ["id", "label", "next", "stance", "values"],
    "additionalProperties": False,
    "properties": {
        "id": _ID,
        "label": _TEXT,
        "next": _ID,
        "stance": _EFFECT,
        "values": {
            "type": "object",
            "minProperties": 1,
            "additionalProperties": False,
            "properties": {value: _EFFECT for value in VALUES},
        },
        # Optional in the schema so that a draft can be loaded; lint reports
        # every choice that lacks it.
        "feedback": {"type": "string"},
    },
}

NODE = {
    "type": "object",
    "required": ["id", "text"],
    "additionalProperties": False,
    "properties": {
        "id": _ID,
        "title": _TEXT,
        "text": _TEXT,
        "choices": {"type": "array", "minItems": 1, "maxItems": 6, "items": CHOICE},
        "ending": {"enum": list(ENDINGS)},
    },
}

SCENARIO = {
    "type": "object",
    "required": ["schema_version", "id", "title", "start", "nodes"],
    "additionalProperties": False,
    "properties": {
        "schema_version": {"const": SCHEMA_VERSION},
        "id": _ID,
        "title": _TEXT,
        "module": {"type": "integer", "minimum": 0, "maximum": 99},
        "summary": _TEXT,
        "start": _ID,
        "nodes": {"type": "array", "minItems": 2, "items": NODE},
    },
}
