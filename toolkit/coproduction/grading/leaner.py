"""What grading's own processes leave out, or do once instead of over and over.

Neither changes what is graded or recorded. A one-trainee regrade is the most
common run, so its fixed start-up counts; in a run of forty, every step per
notebook counts forty times.
"""

from __future__ import annotations

import sys


def leave_out_unused() -> None:
    """Skip the IRI grammar jsonschema builds when it is imported.

    With rfc3987-syntax installed (JupyterLab's jupyter-events brings it),
    importing jsonschema compiles a grammar for checking IRIs: more than a second
    of processor time, measured, in every process that reads a notebook, longer
    than the rest of nbgrader's start-up. nbformat and nbgrader validate notebooks
    without checking string formats, so grading never uses it; jsonschema treats
    the package as not installed. Call before anything imports jsonschema (once it
    is imported this changes nothing). Trainees' kernels are separate processes
    and keep it.
    """
    sys.modules.setdefault("rfc3987_syntax", None)


def check_schema_once() -> None:
    """Have nbgrader's check of each cell's metadata check its schema only once.

    nbgrader checks every cell's nbgrader metadata with ``jsonschema.validate``,
    which first checks the schema itself, each time: most of the cost, measured
    at a tenth of a second per submission. This gives nbgrader's check the same
    validation (the same validator class, the same error raised for a bad cell)
    with each schema checked the first time it is seen. Only nbgrader's metadata
    check is affected, in the process that calls this.
    """
    import json

    import jsonschema
    from nbgrader.nbgraderformat import common

    checked: set[str] = set()

    class _SchemaCheckedOnce:
        @staticmethod
        def validate(instance, schema):
            cls = jsonschema.validators.validator_for(schema)
            key = json.dumps(schema, sort_keys=True)
            if key not in checked:
                cls.check_schema(schema)
                checked.add(key)
            error = jsonschema.exceptions.best_match(cls(schema).iter_errors(instance))
            if error is not None:
                raise error

    common.jsonschema = _SchemaCheckedOnce


def reuse_engines(keep: int = 8) -> None:
    """Have nbgrader's Gradebook reuse one SQLAlchemy engine per database.

    nbgrader makes a new engine each time it opens the gradebook, nine times per
    submission, and a new engine has an empty cache of compiled queries, so every
    query is compiled again: a third of a worker's own processor time, measured.
    A Gradebook still closes as before (its session removed, the engine's pool of
    connections emptied); only the engine, with its compiled queries, stays for the
    next one. At most ``keep`` engines are kept, the most recently used.
    """
    from collections import OrderedDict

    from nbgrader import api

    if getattr(api.create_engine, "reused", False):
        return
    make = api.create_engine
    engines: OrderedDict = OrderedDict()

    def create_engine(url, **options):
        key = (str(url), tuple(sorted(options.items())))
        if key not in engines:
            engines[key] = make(url, **options)
            while len(engines) > keep:
                engines.popitem(last=False)[1].dispose()
        engines.move_to_end(key)
        return engines[key]

    create_engine.reused = True
    api.create_engine = create_engine
