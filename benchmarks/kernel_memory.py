"""How much memory a trainee's kernel holds after each module, and what one trainee needs on a hub.

    .venv/bin/python benchmarks/kernel_memory.py [--runs 3] [--json]

For every notebook in modules/, a fresh python3 kernel runs each code cell in
order in a temporary copy of the modules folder, with the journal in a
temporary file (nothing is written into the repository). Then the kernel and
its children are measured: RSS (resident memory, shared libraries counted in
full) and USS (memory only that kernel holds, freed when it stops). A kernel
that has run nothing is the baseline. The other half of a trainee's server, a
Jupyter server with the extensions installed here (JupyterLab, nbgrader), is
started on 127.0.0.1, asked for the JupyterLab page once and measured a few
seconds later. Every figure is the median of --runs fresh measurements; "per
GB" means per 1024 MiB. With --json the numbers go to standard output as JSON
and the table to standard error.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import nbformat
import psutil
from jupyter_client import KernelManager
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
MODULES = ROOT / "modules"
MIB = 1024 * 1024


def tree_memory(pid: int) -> tuple[float, float]:
    """RSS and USS in MiB of a process and all its children."""
    parent = psutil.Process(pid)
    rss = uss = 0
    for proc in [parent, *parent.children(recursive=True)]:
        try:
            info = proc.memory_full_info()
        except psutil.NoSuchProcess:
            continue
        rss, uss = rss + info.rss, uss + info.uss
    return rss / MIB, uss / MIB


def kernel_memory(notebook: str | None) -> tuple[float, float]:
    """A fresh kernel's memory after running ``notebook`` (None: after starting, nothing run)."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "modules"
        shutil.copytree(MODULES, work)
        env = {**os.environ, "COPRODUCTION_JOURNAL": str(Path(tmp) / "journal.sqlite")}
        km = KernelManager(kernel_name="python3")
        km.start_kernel(cwd=str(work), env=env, stderr=subprocess.DEVNULL)  # quiet start-up noise
        try:
            if notebook is None:
                kc = km.client()
                kc.start_channels()
                kc.wait_for_ready(timeout=60)
                kc.stop_channels()
            else:
                nb = nbformat.read(work / notebook, as_version=4)
                NotebookClient(nb, km=km, timeout=120, allow_errors=False).execute()
            time.sleep(0.5)  # let the last outputs settle
            return tree_memory(km.provisioner.pid)
        finally:
            km.shutdown_kernel(now=True)


def server_memory() -> tuple[float, float]:
    """RSS and USS in MiB of an idle Jupyter server that has served the JupyterLab page once."""
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "jupyter_server", "--ServerApp.ip=127.0.0.1",
               "--ServerApp.port=0", "--no-browser", "--ServerApp.token=x",
               f"--ServerApp.root_dir={tmp}"]
        if os.geteuid() == 0:
            cmd.append("--allow-root")
        env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(Path(tmp) / "runtime")}
        log_path = Path(tmp) / "server.log"
        with open(log_path, "w") as log:
            server = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env)
        try:
            deadline = time.monotonic() + 60
            while not (found := re.search(r"http://127\.0\.0\.1:(\d+)/", log_path.read_text())):
                if server.poll() is not None or time.monotonic() > deadline:
                    sys.exit(f"The Jupyter server did not start:\n{log_path.read_text()[-3000:]}")
                time.sleep(0.2)
            urllib.request.urlopen(f"http://127.0.0.1:{found[1]}/lab?token=x", timeout=30).read()
            time.sleep(3)
            return tree_memory(server.pid)
        finally:
            server.terminate()  # a clean stop; kill only if it hangs
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def median_of(runs: int, measure, *args) -> tuple[float, float]:
    results = [measure(*args) for _ in range(runs)]
    return statistics.median(r[0] for r in results), statistics.median(r[1] for r in results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="fresh measurements of each figure")
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON")
    args = parser.parse_args()
    notebooks = sorted(p.name for p in MODULES.glob("*.ipynb"))
    if not notebooks:
        sys.exit(f"No notebooks in {MODULES}.")

    idle = median_of(args.runs, kernel_memory, None)
    modules = {name: median_of(args.runs, kernel_memory, name) for name in notebooks}
    server = median_of(args.runs, server_memory)
    heaviest = max(modules, key=lambda name: modules[name][1])
    kernel_uss, server_uss = modules[heaviest][1], server[1]
    trainee = kernel_uss + server_uss
    per_gb = int(1024 // trainee)

    out = sys.stderr if args.json else sys.stdout
    print(f"Median of {args.runs} fresh measurements each.", file=out)
    print(f"{'module':<28}{'RSS MiB':>10}{'USS MiB':>10}", file=out)
    for name, (rss, uss) in [("(idle kernel, nothing run)", idle), *modules.items()]:
        print(f"{Path(name).stem:<28}{rss:>10.1f}{uss:>10.1f}", file=out)
    print(f"{'(Jupyter server, idle)':<28}{server[0]:>10.1f}{server[1]:>10.1f}", file=out)
    print(f"A trainee's kernel after the heaviest module: {kernel_uss:.0f} MiB (USS). "
          f"With a single-user server of about {server_uss:.0f} MiB, one trainee needs about "
          f"{trainee:.0f} MiB; trainees per GB \u2248 {per_gb}.", file=out)
    if args.json:
        def mib(pair):
            return {"rss_mib": round(pair[0], 1), "uss_mib": round(pair[1], 1)}
        print(json.dumps({"runs": args.runs, "idle_kernel": mib(idle),
                          "modules": {Path(n).stem: mib(pair) for n, pair in modules.items()},
                          "server": mib(server), "heaviest_module": Path(heaviest).stem,
                          "kernel_uss_mib": round(kernel_uss, 1), "trainee_mib": round(trainee, 1),
                          "trainees_per_gb": per_gb}, indent=2))

if __name__ == "__main__":
    main()
