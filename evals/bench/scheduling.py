"""Where a process's wall time goes besides its own CPU: waiting for a core, or blocked.

Linux keeps, per thread, the nanoseconds it ran and the nanoseconds it was runnable but waited in a run queue
(/proc/PID/task/TID/schedstat). Over a stretch of work, wall = on CPU + waiting for a core + blocked (I/O, locks,
sleeps), up to threads overlapping: a worker whose wall time is twice its CPU time is either sharing the cores
with other work (the run-queue wait says how much) or waiting on something of its own (what is left).
"""
from __future__ import annotations

import os
from pathlib import Path


def cpu_wait_s(pid: int | None = None) -> float | None:
    """Seconds the threads of process `pid` (default: this one) alive now have spent runnable but waiting for a
    core since they started, summed over threads (two threads waiting at once count twice); None where the kernel
    does not keep it (not Linux, schedstats off)."""
    tasks = Path(f"/proc/{pid or os.getpid()}/task")
    if not tasks.is_dir():
        return None
    waited, seen = 0, False
    for task in tasks.iterdir():
        waiting = _waiting_ns(task / "schedstat")
        if waiting is not None:
            waited += waiting
            seen = True
    return waited / 1e9 if seen else None


def thread_cpu_wait_s() -> float | None:
    """Seconds the calling thread has spent runnable but waiting for a core (None where not kept). With its own CPU
    time (time.thread_time) this splits the thread's wall time: on CPU, waiting for a core, and the rest, blocked
    (I/O, locks, sleeps, or waiting for its library pools' threads)."""
    waiting = _waiting_ns(Path("/proc/thread-self/schedstat"))
    return None if waiting is None else waiting / 1e9


def _waiting_ns(path: Path) -> int | None:
    try:
        fields = path.read_text().split()
    except OSError:  # the thread ended meanwhile, or no /proc
        return None
    return int(fields[1]) if len(fields) >= 2 else None


def load_average() -> float | None:
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None
