"""The JSON schema a scenario file must match (schema_version 1 or 2).

The schema checks shape only; references between nodes (a choice pointing at
a node that exists, unique ids, conditions naming declared measures and
facts) are checked in ``model`` where the whole file is known, and questions
of design (unreachable nodes, missing feedback, endings that contradict the
route) in ``lint``.

Version 2 adds what a play carries from one decision to the next: measures,
facts, and conditions on them. A version 1 file is a version 2 file that uses
none of these, so both load with the same schema; ``model`` tells an author
who uses version 2 fields in a version 1 file to change the number.
"""

SCHEMA_VERSION = 2
SCHEMA_VERSIONS = (1, 2)

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

#: The Think Local Act Personal ladder of co-production, lowest rung first.
#: A choice may name the rung it stands on (``rung: consultation``).
RUNGS = ("coercion", "educating", "informing", "consultation", "engagement", "co-design",
         "co-production")

#: How each rung is named for a trainee.
RUNG_LABELS = {rung: rung.capitalize() for rung in RUNGS}

#: The rungs a course's scenarios are expected to put at stake: Consultation up.
RUNGS_TALLIED = RUNGS[RUNGS.index("consultation"):]

#: Fields that only schema_version 2 files may use, by where they appear.
VERSION_2_FIELDS = {
    "scenario": ("measures", "facts"),
    "node": ("text_if",),
    "choice": ("effects", "sets", "when"),
}

_ID = {
    "type": "string",
    "pattern": "^[a-z0-9][a-z0-9-]*$",
    "description": "may use only lowercase letters, digits and hyphens",
}
_TEXT = {"type": "string", "minLength": 1}
_EFFECT = {"type": "integer", "minimum": -2, "maximum": 2}
_WHOLE = {"type": "integer", "minimum": -1000, "maximum": 1000}
_STANCE = {"type": "number", "minimum": -2, "maximum": 2}

# A condition is one object whose fields say what it tests. Which combinations
# make sense (a measure with a bound, one kind per object) is checked in
# ``model``, where the message can name the line and say what is wrong.
CONDITION = {
    "type": "object",
    "minProperties": 1,
    "additionalProperties": False,
    "properties": {
        "fact": _ID,
        "measure": _ID,
        "at_least": _WHOLE,
        "at_most": _WHOLE,
        "stance_at_least": _STANCE,
        "stance_at_most": _STANCE,
        "all": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/condition"}},
        "any": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/condition"}},
        "not": {"$ref": "#/$defs/condition"},
    },
}

ROUTE = {
    "type": "object",
    "required": ["to"],
    "additionalProperties": False,
    "properties": {"if": {"$ref": "#/$defs/condition"}, "to": _ID},
}

CHOICE = {
    "type": "object",
    "required": ["id", "label", "next", "stance", "values"],
    "additionalProperties": False,
    "properties": {
        "id": _ID,
        "label": _TEXT,
        "next": {"type": ["string", "array"], "pattern": _ID["pattern"],
                 "description": _ID["description"], "minItems": 1, "items": ROUTE},
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
        "effects": {"type": "object", "minProperties": 1,
                    "propertyNames": _ID, "additionalProperties": _WHOLE},
        "sets": {"type": "array", "minItems": 1, "items": _ID},
        "when": {"$ref": "#/$defs/condition"},
        "rung": {"enum": list(RUNGS)},
    },
}

TEXT_IF = {
    "type": "object",
    "required": ["if", "text"],
    "additionalProperties": False,
    "properties": {"if": {"$ref": "#/$defs/condition"}, "text": _TEXT},
}

NODE = {
    "type": "object",
    "required": ["id", "text"],
    "additionalProperties": False,
    "properties": {
        "id": _ID,
        "title": _TEXT,
        "text": _TEXT,
        "text_if": {"type": "array", "minItems": 1, "items": TEXT_IF},
        "choices": {"type": "array", "minItems": 1, "maxItems": 6, "items": CHOICE},
        "ending": {"enum": list(ENDINGS)},
    },
}

MEASURE = {
    "type": "object",
    "required": ["id", "label", "start", "min", "max"],
    "additionalProperties": False,
    "properties": {
        "id": _ID,
        "label": _TEXT,
        "start": _WHOLE,
        "min": _WHOLE,
        "max": _WHOLE,
        "show": {"type": "boolean"},
    },
}

FACT = {
    "type": "object",
    "required": ["id", "label"],
    "additionalProperties": False,
    "properties": {"id": _ID, "label": _TEXT},
}

SCENARIO = {
    "type": "object",
    "required": ["schema_version", "id", "title", "start", "nodes"],
    "additionalProperties": False,
    "$defs": {"condition": CONDITION},
    "properties": {
        "schema_version": {"enum": list(SCHEMA_VERSIONS)},
        "id": _ID,
        "title": _TEXT,
        "module": {"type": "integer", "minimum": 0, "maximum": 99},
        "summary": _TEXT,
        "measures": {"type": "array", "minItems": 1, "maxItems": 8, "items": MEASURE},
        "facts": {"type": "array", "minItems": 1, "maxItems": 40, "items": FACT},
        "start": _ID,
        "nodes": {"type": "array", "minItems": 2, "items": NODE},
    },
}
