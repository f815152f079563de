"""Check Kubernetes manifests field by field against the Kubernetes Python client's models.

The client's models (kubernetes 37, generated from the Kubernetes API) refuse a
field they do not have and a value of the wrong type. They also accept the
Python spelling of a field (``image_pull_policy``), which the API server would
not, so each manifest is also written back out by the client and must come out
exactly as it went in: a key in the wrong spelling, or a value the model had to
convert, is an error too. Every error names the file, the object and the field.
"""

from __future__ import annotations

from kubernetes import client
from kubernetes.client import models
from pydantic import ValidationError


class ManifestError(ValueError):
    """A manifest does not match the Kubernetes API; the message names the field."""


def model_for(api_version: str, kind: str):
    """The client's model for ``apiVersion`` and ``kind``, e.g. apps/v1 Deployment."""
    version = str(api_version).rsplit("/", 1)[-1]
    name = version[:1].upper() + version[1:] + str(kind)
    klass = getattr(models, name, None)
    if klass is None:
        raise ManifestError(f"there is no Kubernetes object {kind!r} in {api_version!r}")
    return klass


def _differences(given, written, where: str):
    """Where ``written`` (the client's output) differs from ``given`` (the manifest)."""
    if isinstance(given, dict) and isinstance(written, dict):
        for key in given:
            if key not in written:
                yield f"{where}.{key}: not a field of the Kubernetes API as spelled"
            else:
                yield from _differences(given[key], written[key], f"{where}.{key}")
    elif isinstance(given, list) and isinstance(written, list) and len(given) == len(written):
        for n, (a, b) in enumerate(zip(given, written)):
            yield from _differences(a, b, f"{where}[{n}]")
    elif given != written or type(given) is not type(written):
        yield f"{where}: {given!r} is not a valid value here"


def build(data, model, where: str):
    """``data`` (parsed YAML) as an instance of the client's ``model``; ManifestError if not."""
    if not isinstance(data, dict):
        raise ManifestError(f"{where}: expected a mapping ({model.__name__}), found {data!r}")
    try:
        built = model.model_validate(data)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors())
        raise ManifestError(f"{where}: {problems}") from None
    written = client.ApiClient().sanitize_for_serialization(built)
    problems = list(_differences(data, written, where))
    if problems:
        raise ManifestError("; ".join(problems))
    return built


def check_manifest(doc, where: str = "manifest"):
    """One parsed manifest as its client model (a V1Deployment, ...); ManifestError if wrong."""
    if not isinstance(doc, dict) or "apiVersion" not in doc or "kind" not in doc:
        raise ManifestError(f"{where}: a manifest needs apiVersion and kind")
    return build(doc, model_for(doc["apiVersion"], doc["kind"]), f"{where} ({doc['kind']})")
