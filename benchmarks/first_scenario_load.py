"""How long a notebook waits for its first scenario, with and without jsonschema's IRI grammars.

    .venv/bin/python benchmarks/first_scenario_load.py [--runs 7]

Each run is a new Python process, as a freshly started kernel is. "plain"
imports jsonschema the ordinary way first (building the IRI grammars of the
optional rfc3987_syntax package, as any other program would); "course"
loads the scenario the way the toolkit does, skipping them. Runs alternate
and the medians are compared.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys

LOAD = "from coproduction import scenario; scenario.get('estate-asb')"
CODE = {
    "plain": f"import time; t = time.perf_counter(); import jsonschema; {LOAD}; "
             "print(time.perf_counter() - t)",
    "course": f"import time; t = time.perf_counter(); {LOAD}; print(time.perf_counter() - t)",
}


def once(code: str) -> float:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs of each")
    runs = parser.parse_args().runs
    times: dict[str, list[float]] = {k: [] for k in CODE}
    for _ in range(runs):
        for kind, code in CODE.items():
            times[kind].append(once(code))
    plain, course = (statistics.median(times[k]) for k in ("plain", "course"))
    print(f"first load of the Module 1 scenario, median of {runs} fresh interpreters:")
    print(f"  plain jsonschema import   {plain:6.2f} s")
    print(f"  as the toolkit loads it   {course:6.2f} s   ({plain / course:.1f}x faster)")


if __name__ == "__main__":
    main()
