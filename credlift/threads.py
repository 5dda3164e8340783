"""One budget of threads per worker process, for every library that keeps a thread pool.

OpenCV, onnxruntime (OCR and the trace network), BLAS/OpenMP (numpy, scikit-learn) and torch each start a pool
as large as the machine. Two workers on two cores then run eight busy threads and are slower together than one
alone. `apply(n)` sets every pool this process has, or will start, to n threads: environment variables for
pools not yet started and for child processes, threadpoolctl for BLAS/OpenMP already loaded, OpenCV's and
torch's setters, and `current()` for the onnxruntime sessions, which read it when they are created.

The budget is `CREDLIFT_THREADS_PER_WORKER`, or, when that is 0, the cores divided by the workers sharing them
(`CREDLIFT_WORKERS`, default 1).

Lanes: with a budget of two threads or more, an upload's analysis runs in two lanes at once, the page read (OCR) in
one and the checks of the file alone in the other (tools/forensics/early.py); each onnxruntime session then gets
its share of the budget (`per_lane`). One session's two threads read a page in 0.42 s for 0.66 CPU-s; two lanes of
one thread each read it and ran the image checks together in 0.71 s for 1.28 CPU-s, where one after the other on
two threads took 0.93 s for 1.47 CPU-s (12 bench photos, p50, machine otherwise idle; issue 30).
"""
from __future__ import annotations

import os
import sys

ENVIRONMENT = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS",
               "VECLIB_MAXIMUM_THREADS")

_applied: int | None = None


def cores() -> int:
    """The cores this process may run on (the affinity mask, which containers and taskset narrow)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def budget(threads_per_worker: int = 0, workers: int = 1) -> int:
    """An explicit budget, else the cores shared evenly by the workers (at least one thread each)."""
    if threads_per_worker > 0:
        return threads_per_worker
    return max(1, cores() // max(1, workers))


def apply(threads: int) -> int:
    """Every thread pool of this process (and of processes it starts) to `threads`; returns it."""
    global _applied
    threads = max(1, int(threads))
    for name in ENVIRONMENT:
        os.environ[name] = str(threads)
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=threads)  # BLAS and OpenMP pools loaded so far (numpy, scipy, scikit-learn)
    import cv2

    cv2.setNumThreads(threads)
    if "torch" in sys.modules:  # never imported here: torch is only for the training extra
        sys.modules["torch"].set_num_threads(threads)
    _applied = threads
    return threads


def apply_from_settings(settings=None) -> int:
    """The budget the settings ask for, applied once per process (later calls with the same budget are free)."""
    if settings is None:
        from credlift.settings import get_settings

        settings = get_settings()
    threads = budget(settings.threads_per_worker, settings.workers)
    return threads if _applied == threads else apply(threads)


def current() -> int:
    """The budget applied in this process (the settings' budget if none was applied yet): onnxruntime sessions
    take their intra-op threads from it when they are created."""
    return _applied if _applied is not None else apply_from_settings()


def lanes() -> int:
    """How many parts of an upload's analysis run at once in this worker: two (the page read and the image checks)
    when the budget has two threads or more, else one after the other."""
    return 2 if current() >= 2 else 1


def per_lane() -> int:
    """The threads each lane's onnxruntime sessions get: the budget shared by the lanes."""
    return max(1, current() // lanes())


def onnx_session_options():
    """onnxruntime SessionOptions for a session of this worker: its lane's intra-op threads (`per_lane`), one inter-op
    thread, and threads that wait asleep rather than spinning between runs. Spinning keeps a core busy after
    every run: reading a page (about 60 short runs) on two threads cost 2.3 CPU-s instead of 1.3 with spinning
    on (issue 30); off, the second thread only works while there is work."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = per_lane()
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.add_session_config_entry("session.inter_op.allow_spinning", "0")
    return options
