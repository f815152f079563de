"""Watching the grading sandboxes from outside: memory, processes, the shared folder.

Each kernel has its own limit on memory, set inside its sandbox; what no kernel
can count for itself (all the processes a notebook started, together, and
their number, which the kernel's own limits cannot count when grading runs as
root) the grading process counts here, twice a second.
"""

from __future__ import annotations

import os
from pathlib import Path

from . import sandbox


def excesses(workers: list[int], folder: Path, limits: sandbox.Limits) -> dict[int, str]:
    """Why the submission each busy worker (by pid) is grading must be stopped now;
    a worker not listed is fine.

    ``folder`` holds each worker's shared folder (``sandbox-<pid>``). One pass over
    the process table serves every worker.
    """
    usage = _sandbox_usage(workers)
    found = {}
    for pid in workers:
        if pid not in usage:
            continue
        members, memory = usage[pid]
        if memory > limits.memory:
            found[pid] = (f"it used more than {sandbox.describe_memory(limits.memory)} of "
                          "memory and was stopped")
        elif members > limits.processes:
            found[pid] = (f"it started more than {limits.processes} processes or threads at "
                          "once and was stopped")
        elif _folder_size(Path(folder) / f"sandbox-{pid}", limits.channel) > limits.channel:
            found[pid] = ("it wrote more than allowed into the folder the grader reads its "
                          "results from, and was stopped")
    return found


def _sandbox_usage(workers: list[int]) -> dict[int, tuple[int, int]]:
    """For each worker pid: (processes and threads, bytes of memory) of what runs in its
    sandbox, not counting the zygote itself."""
    import psutil

    table = {}
    for proc in psutil.process_iter(["ppid", "name", "num_threads", "memory_info"]):
        info = proc.info
        rss = info["memory_info"].rss if info["memory_info"] else 0
        table[proc.pid] = (info["ppid"], info["name"], info["num_threads"] or 1, rss)
    children: dict[int, list[int]] = {}
    for pid, (ppid, *_rest) in table.items():
        children.setdefault(ppid, []).append(pid)

    def below(pid):
        # Without recursion: a notebook may start a chain of processes thousands deep.
        stack, seen = list(children.get(pid, [])), set()
        while stack:
            kid = stack.pop()
            if kid in seen:
                continue
            seen.add(kid)
            yield kid
            stack.extend(children.get(kid, []))

    usage = {}
    for worker in workers:
        members = memory = 0
        for pid in below(worker):
            ppid, name, threads, rss = table[pid]
            # The zygote is the first process under bwrap that is not bwrap; count
            # what it forked (the kernels and all they started).
            if name != "bwrap" and table.get(ppid, (0, ""))[1] == "bwrap":
                for member in below(pid):
                    members += table[member][2]
                    memory += table[member][3]
        usage[worker] = (members, memory)
    return usage


def _folder_size(shared: Path, limit: int) -> int:
    """Bytes in a sandbox's shared folder (counting stops once past ``limit``)."""
    total = 0
    for folder, _, files in os.walk(shared):
        for name in files:
            try:
                total += os.lstat(os.path.join(folder, name)).st_size
            except OSError:
                continue
            if total > limit:
                return total
    return total
