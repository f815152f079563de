"""hub/kubernetes/Dockerfile checked without a container engine: a pinned base image, the
hub's JupyterHub version, the trainee settings the values point at, and no answers inside."""

from __future__ import annotations

import re

from conftest import ROOT

K8S = ROOT / "hub" / "kubernetes"
DOCKERFILE = (K8S / "Dockerfile").read_text()


def _instructions():
    """(instruction, arguments) pairs, continuation lines joined, comments left out."""
    text = re.sub(r"\\\n", " ", "\n".join(
        line for line in DOCKERFILE.splitlines() if not line.lstrip().startswith("#")))
    return [tuple(line.split(None, 1)) for line in text.splitlines() if line.strip()]


def test_the_base_image_is_pinned_by_a_build_date():
    [base] = [args for op, args in _instructions() if op == "FROM"]
    image, tag = base.rsplit(":", 1)
    assert image == "quay.io/jupyter/base-notebook"
    # a date tag never moves; python-3.x or latest would change under the same file
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", tag), tag
    assert f"build of {tag} from the\n# Python 3.13 line" in DOCKERFILE


def test_the_image_installs_the_jupyterhub_the_chart_runs():
    pins = dict(line.split("==") for line in (K8S / "sim-requirements.txt").read_text().split()
                if "==" in line)
    installs = [args for op, args in _instructions() if op == "RUN" and "pip install" in args]
    assert len(installs) == 1
    assert f'"jupyterhub=={pins["jupyterhub"]}"' in installs[0]


def test_trainee_settings_go_where_the_values_point():
    copies = {args.split()[-1]: args.split()[-2] for op, args in _instructions() if op == "COPY"}
    assert copies["/opt/coproduction/etc/jupyter-trainee"] == "hub/trainee-config"
    assert "/opt/coproduction/etc/jupyter-trainee" in (K8S / "values.yaml").read_text()


def test_no_answers_are_copied_into_the_image():
    sources = [args.split()[-2] for op, args in _instructions() if op == "COPY"]
    assert sources
    for source in sources:
        assert not source.startswith(("solutions", "toolkit/self-check-keys", ".venv"))
        assert source != "."
