"""How many threads llama.cpp gets: the cores this process may use that nobody else is using.

llama.cpp's worker threads busy-wait at every barrier of a decode step. With more threads than
free cores, a thread that lost its core to a neighbour holds the others spinning until the
scheduler gives it back: on 2 cores with one busy neighbour a 2-thread judge took 36 s of CPU for
what 1 thread does in ~8 s. So the count is the allowed cores (affinity, cgroup quota) minus the
runnable work already there (the instantaneous run queue and the 1-minute load), at least 1, at
most what the user asked for. With one thread there is no barrier, hence no spinning.
"""

from __future__ import annotations

import os
from pathlib import Path


def allowed_cores() -> int:
    """Cores this process may run on: its CPU affinity, capped by a cgroup v2 CPU quota."""
    try:
        n = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        n = os.cpu_count() or 1
    try:
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text().split()[:2]
        if quota != "max":
            n = min(n, max(1, int(int(quota) // int(period))))
    except (OSError, ValueError):
        pass
    return max(1, n)


def busy_elsewhere() -> float:
    """Runnable work of other processes: the larger of the run queue now (minus this process) and
    the 1-minute load average (Linux /proc/loadavg; 0 where it is unknown)."""
    try:
        fields = Path("/proc/loadavg").read_text().split()
        load1 = float(fields[0])
        running_now = int(fields[3].split("/")[0]) - 1  # this process is running while it reads
    except (OSError, ValueError, IndexError):
        return 0.0
    return max(float(running_now), load1)


def threads_for(requested: int | None = None, *, cores: int | None = None, busy: float | None = None) -> int:
    """Threads for a llama.cpp model: free cores, between 1 and `requested` (None: no upper cap)."""
    cores = allowed_cores() if cores is None else cores
    busy = busy_elsewhere() if busy is None else busy
    free = int(cores - busy + 0.5)  # a neighbour at 0.6 of a core still takes it away at times
    n = max(1, min(cores, free))
    return n if requested is None else max(1, min(n, int(requested)))
