"""Peak memory of a process running the app's service (resident set size, as the kernel counts it)."""
from __future__ import annotations

import resource
import sys
from pathlib import Path

STATUS = Path("/proc/self/status")


def peak_rss_mb() -> float:
    """This process's peak resident set size in MiB.

    On Linux the high-water mark of this process's own memory (`VmHWM`), which starts afresh when a process is
    started: `ru_maxrss` carries over an exec, so a worker the bench spawns would report the bench process's own
    resident size at the fork when that was larger (workers of one run all read the parent's 1,417 MB once).
    Elsewhere `ru_maxrss` (KiB on Linux, bytes on macOS)."""
    try:
        for line in STATUS.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except (OSError, ValueError, IndexError):
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024, 1)
