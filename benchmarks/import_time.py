"""How long `import coproduction` takes, beside `import ipywidgets`, in fresh interpreters.

    .venv/bin/python benchmarks/import_time.py [--runs 15]

Each import runs in a new Python process (so nothing is cached in memory),
alternating between the two, and the medians are compared.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys

CODE = "import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
MODULES = ("coproduction", "coproduction.scenario", "ipywidgets", "pandas")


def once(module: str) -> float:
    out = subprocess.run([sys.executable, "-c", CODE.format(module=module)],
                         capture_output=True, text=True, check=True)
    return float(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs of each import")
    runs = parser.parse_args().runs
    times: dict[str, list[float]] = {m: [] for m in MODULES}
    for _ in range(runs):
        for module in MODULES:  # interleaved, so both see the same machine load
            times[module].append(once(module))
    base = statistics.median(times["ipywidgets"])
    print(f"median of {runs} fresh imports each:")
    for module in MODULES:
        median = statistics.median(times[module])
        print(f"  import {module:<24} {1000 * median:7.1f} ms   "
              f"({median / base:.2f}x ipywidgets)")


if __name__ == "__main__":
    main()
