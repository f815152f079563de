"""Kernels forked from a warm parent, so grading does not pay Python's start-up each time.

Starting a notebook kernel costs about half a second of processor time
(Python, IPython, ipykernel), and the notebook then spends more importing
pandas: a third to a half of grading one submission. Here one "zygote"
process imports all of that once and then forks a fresh kernel process for
each submission. Each kernel is still a process of its own, started for one
notebook and thrown away after it, exactly as nbgrader's are; it just starts
with the common libraries already loaded.

If the zygote cannot be used for any reason, the kernel is started the
ordinary way, so grading never depends on this.

    python -m coproduction.grading.forkkernel SOCKET   # serve forks on a Unix socket
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

#: What the zygote imports before forking: the kernel itself and what the
#: course's notebooks use.
PRELOAD = ("ipykernel.kernelapp", "pandas", "coproduction.data")


class ForkedProcess:
    """Enough of ``subprocess.Popen`` for jupyter_client to manage a forked kernel."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                os.kill(self.pid, 0)
                with open(f"/proc/{self.pid}/stat") as stat:
                    if stat.read().split(") ")[-1].startswith("Z"):
                        self.returncode = -1
            except (ProcessLookupError, FileNotFoundError):
                self.returncode = -1  # the zygote reaps its children, so the code is lost
            except PermissionError:
                pass
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout)
            time.sleep(0.05)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


class Zygote:
    """A running zygote process, started on first use and shared by one worker."""

    def __init__(self, folder: Path, console_log: str | None = None):
        self.socket = str(folder / f"zygote-{os.getpid()}.sock")
        log = open(console_log, "ab") if console_log else subprocess.DEVNULL
        try:
            self.proc = subprocess.Popen([sys.executable, "-m", __name__, self.socket],
                                         stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        finally:
            if log is not subprocess.DEVNULL:
                log.close()  # the zygote has its own copy
        deadline = time.monotonic() + 60
        while not os.path.exists(self.socket):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the kernel zygote did not start")
            time.sleep(0.05)

    def fork(self, argv: list[str], cwd: str | None, env: dict | None) -> int:
        """A new kernel process running ``argv`` (an ipykernel command line); its pid."""
        request = {"argv": list(argv), "cwd": str(cwd or os.getcwd()),
                   "env": dict(env if env is not None else os.environ)}
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(30)
            conn.connect(self.socket)
            conn.sendall(json.dumps(request).encode() + b"\n")
            reply = conn.makefile("rb").readline()
        return int(json.loads(reply)["pid"])

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)


def _become_kernel(request: dict, base_path: list[str]) -> None:
    """In the forked child: turn into the kernel ``request`` describes. Never returns."""
    try:
        os.setsid()  # its own process group, as jupyter_client gives a kernel
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        # Python's `random` reseeds itself in a forked child; numpy's does not, and
        # every kernel would otherwise draw the same "random" numbers.
        if "numpy" in sys.modules:
            sys.modules["numpy"].random.seed()
        sys.path[:] = base_path
        argv = request["argv"]
        at = next(i for i, a in enumerate(argv) if a == "ipykernel_launcher")
        sys.argv = ["ipykernel_launcher", *argv[at + 1:]]
        from ipykernel import kernelapp

        kernelapp.launch_new_instance()
        code = 0
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else 0
    except BaseException:
        code = 1
    os._exit(code)


def serve(socket_path: str) -> None:
    """Import the preloads, then fork a kernel for every request on ``socket_path``."""
    import importlib

    # The kernel's own path, without this module's folder at the front.
    base_path = [p for p in sys.path[1:]]
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped automatically
    tmp = socket_path + ".tmp"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(tmp)
    listener.listen(8)
    os.rename(tmp, socket_path)  # the socket appears only once the zygote is ready
    while True:
        conn, _ = listener.accept()
        try:
            request = json.loads(conn.makefile("rb").readline())
        except (OSError, ValueError):
            conn.close()
            continue
        pid = os.fork()
        if pid == 0:
            listener.close()
            conn.close()
            _become_kernel(request, base_path)
        try:
            conn.sendall(json.dumps({"pid": pid}).encode() + b"\n")
        except OSError:
            os.kill(pid, signal.SIGKILL)  # nobody is waiting for this kernel
        conn.close()


def kernel_manager_class():
    """An AsyncKernelManager that starts kernels from ``ForkKernelManager.zygote`` when set."""
    from jupyter_client.manager import AsyncKernelManager

    class ForkKernelManager(AsyncKernelManager):
        zygote: Zygote | None = None

        async def _async_launch_kernel(self, kernel_cmd, **kw):
            zygote = type(self).zygote
            if zygote is None or "ipykernel_launcher" not in kernel_cmd:
                return await super()._async_launch_kernel(kernel_cmd, **kw)
            try:
                pid = zygote.fork(kernel_cmd, kw.get("cwd"), kw.get("env"))
            except (OSError, ValueError, KeyError):
                type(self).zygote = None  # broken: every later kernel starts the usual way
                return await super()._async_launch_kernel(kernel_cmd, **kw)
            provisioner = self.provisioner
            provisioner.process = ForkedProcess(pid)
            provisioner.pid = provisioner.pgid = pid
            provisioner.cwd = kw.get("cwd")
            self._reconcile_connection_info(provisioner.connection_info)

    return ForkKernelManager


if __name__ == "__main__":
    serve(sys.argv[1])
