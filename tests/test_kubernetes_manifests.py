"""hub/kubernetes/ checked without a cluster: every manifest against the Kubernetes API's
models, the Kubernetes objects inside values.yaml too, and the links between the files
(names, ports, labels, the token's Secret) that only a running cluster would otherwise show.
"""

from __future__ import annotations

import copy
import os
import re
import shutil
import subprocess

import pytest
from ruamel.yaml import YAML

from conftest import ROOT
from k8s_models import ManifestError, build, check_manifest

K8S = ROOT / "hub" / "kubernetes"
MANIFESTS = sorted(p for p in K8S.glob("*.yaml") if p.name not in
                   {"values.yaml", "sign-in.example.yaml"})


def _load_all(path):
    return [d for d in YAML(typ="safe").load_all(path.read_text()) if d is not None]


def _values():
    return YAML(typ="safe").load((K8S / "values.yaml").read_text())


def _by_kind(kind, path=K8S / "formgrader.yaml"):
    [doc] = [d for d in _load_all(path) if d["kind"] == kind]
    return doc


def _container(deployment, name="formgrader"):
    [c] = [c for c in deployment["spec"]["template"]["spec"]["containers"] if c["name"] == name]
    return c


def test_the_folder_has_manifests_to_check():
    assert {p.name for p in MANIFESTS} == {"formgrader.yaml", "exchange-volume.yaml"}


@pytest.mark.parametrize("path", MANIFESTS, ids=lambda p: p.name)
def test_every_manifest_matches_the_kubernetes_api(path):
    docs = _load_all(path)
    assert docs
    for n, doc in enumerate(docs):
        check_manifest(doc, f"{path.name} document {n + 1}")


def _typo(d):
    _container(d)["imagePullPolcy"] = "IfNotPresent"


def _python_spelling(d):
    c = _container(d)
    c["image_pull_policy"] = c.pop("imagePullPolicy")


def _wrong_type(d):
    d["spec"]["replicas"] = "one"


def _port_as_text(d):
    _container(d)["ports"][0]["containerPort"] = "8888"


def _missing_name(d):
    del _container(d)["name"]


def _bad_kind(d):
    d["kind"] = "Deploymnet"


@pytest.mark.parametrize("spoil, says", [
    (_typo, "imagePullPolcy"), (_python_spelling, "image_pull_policy"),
    (_wrong_type, "replicas"), (_port_as_text, "containerPort"),
    (_missing_name, "name: Field required"), (_bad_kind, "Deploymnet"),
])
def test_a_broken_manifest_is_caught_and_named(spoil, says):
    deployment = copy.deepcopy(_by_kind("Deployment"))
    spoil(deployment)
    with pytest.raises(ManifestError) as caught:
        check_manifest(deployment, "formgrader.yaml")
    assert says in str(caught.value)
    assert "formgrader.yaml" in str(caught.value) or "Deploymnet" in str(caught.value)


def test_kubernetes_objects_inside_the_values_match_the_api():
    from kubernetes.client import models

    single = _values()["singleuser"]
    for volume in single["storage"]["extraVolumes"]:
        build(volume, models.V1Volume, "singleuser.storage.extraVolumes")
    for mount in single["storage"]["extraVolumeMounts"]:
        build(mount, models.V1VolumeMount, "singleuser.storage.extraVolumeMounts")
    build(single["lifecycleHooks"], models.V1Lifecycle, "singleuser.lifecycleHooks")
    for rule in _values()["proxy"]["chp"]["networkPolicy"]["egress"]:
        build(rule, models.V1NetworkPolicyEgressRule, "proxy.chp.networkPolicy.egress")


def test_the_formgrader_keeps_the_image_entrypoint_and_reads_the_charts_token():
    deployment = _by_kind("Deployment")
    for c in (deployment["spec"]["template"]["spec"]["initContainers"]
              + deployment["spec"]["template"]["spec"]["containers"]):
        assert "command" not in c, f"{c['name']} replaces tini and the start script"
        assert c["args"]
    env = {e["name"]: e for e in _container(deployment)["env"]}
    token = env["JUPYTERHUB_API_TOKEN"]["valueFrom"]["secretKeyRef"]
    # The chart keeps each hub.services entry's token in the Secret `hub` under this key.
    assert token == {"name": "hub", "key": "hub.services.coproduction.apiToken"}
    assert "coproduction" in _values()["hub"]["services"]


def test_the_grader_account_is_a_member_of_the_trainers_group():
    grader = {e["name"]: e.get("value") for e in _container(_by_kind("Deployment"))["env"]}
    grader = grader["JUPYTERHUB_USER"]
    config = _values()["hub"]["config"]
    assert grader in config["JupyterHub"]["load_groups"]["formgrade-coproduction"]["users"]
    # the hub would take a blocked user out of its groups; extraConfig refuses it instead
    assert "blocked_users" not in config["Authenticator"]
    assert config["Authenticator"]["allow_all"] is False


def test_the_proxy_the_service_and_the_pod_agree_on_names_ports_and_labels():
    deployment, service = _by_kind("Deployment"), _by_kind("Service")
    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
    port = _container(deployment)["ports"][0]["containerPort"]
    url = _values()["hub"]["services"]["coproduction"]["url"]
    assert url == f"http://{service['metadata']['name']}:{service['spec']['ports'][0]['port']}"
    assert service["spec"]["selector"].items() <= pod_labels.items()
    [rule] = _values()["proxy"]["chp"]["networkPolicy"]["egress"]
    assert rule["to"][0]["podSelector"]["matchLabels"].items() <= pod_labels.items()
    assert rule["ports"] == [{"port": port, "protocol": "TCP"}]
    policy = _by_kind("NetworkPolicy")
    assert policy["spec"]["podSelector"]["matchLabels"].items() <= pod_labels.items()
    assert policy["spec"]["ingress"][0]["ports"] == [{"port": port, "protocol": "TCP"}]
    # the chart's network policy lets pods with this label reach the hub's API
    assert pod_labels["hub.jupyter.org/network-access-hub"] == "true"


def test_nothing_the_image_puller_pulls_is_a_placeholder():
    values = _values()
    # The chart's image puller pulls singleuser.image; its tag comes from the command line.
    assert "tag" not in values["singleuser"]["image"]
    assert "name" not in values["singleuser"]["image"]
    settings = copy.deepcopy(values)
    del settings["hub"]["extraConfig"]  # code, which refuses the placeholder by name
    assert "TAG" not in repr(settings)
    assert "extraImages" not in values.get("prePuller", {})


def test_the_readme_sed_line_puts_the_image_into_every_placeholder(tmp_path):
    readme = (K8S / "README.md").read_text()
    [line] = [m.group(0) for m in re.finditer(r'^sed "s#[^\n]*\\\n[^\n]*formgrader\.yaml',
                                               readme, re.M)]
    sed = line.replace("\\\n", " ").split("|")[0]
    if not shutil.which("sed"):
        pytest.skip("needs sed")
    out = subprocess.run(["sh", "-c", sed], cwd=ROOT, capture_output=True, text=True,
                         env={**os.environ, "IMAGE": "registry.example.org/x", "TAG": "abc1234"})
    assert out.returncode == 0, out.stderr
    assert ":TAG" not in out.stdout
    docs = [d for d in YAML(typ="safe").load_all(out.stdout) if d]
    images = [c["image"] for d in docs if d["kind"] == "Deployment"
              for c in d["spec"]["template"]["spec"]["initContainers"]
              + d["spec"]["template"]["spec"]["containers"]]
    assert images and set(images) == {"registry.example.org/x:abc1234"}
    for doc in docs:
        check_manifest(doc, "formgrader.yaml after sed")


def test_the_exchange_is_a_shared_posix_volume_kept_when_its_claim_goes():
    volume = _by_kind("PersistentVolume", K8S / "exchange-volume.yaml")
    claim = _by_kind("PersistentVolumeClaim", K8S / "exchange-volume.yaml")
    assert volume["spec"]["accessModes"] == claim["spec"]["accessModes"] == ["ReadWriteMany"]
    assert "nfs" in volume["spec"] and volume["spec"]["persistentVolumeReclaimPolicy"] == "Retain"
    assert claim["spec"]["volumeName"] == volume["metadata"]["name"]
    mounted = {v["persistentVolumeClaim"]["claimName"]
               for v in _values()["singleuser"]["storage"]["extraVolumes"]}
    assert claim["metadata"]["name"] in mounted
