"""The bench splits a worker's wall time into its CPU, waiting for a core and blocked (evals/bench/scheduling.py)."""
from __future__ import annotations

import sys
import threading
import time

import pytest

from credlift.evals.bench.scheduling import cpu_wait_s, thread_cpu_wait_s


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the run-queue wait is read from Linux's /proc")
def test_the_wait_for_a_core_is_read_and_never_goes_back():
    before = cpu_wait_s()
    stop = time.process_time() + 0.05
    while time.process_time() < stop:  # some work of our own; the wait can only grow
        pass
    after = cpu_wait_s()
    assert before is not None and after is not None
    assert 0.0 <= before <= after


def test_a_process_that_is_gone_has_no_wait():
    assert cpu_wait_s(pid=2 ** 22 + 7) is None


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the run-queue wait is read from Linux's /proc")
def test_a_sleeping_thread_is_blocked_not_waiting():
    """Time asleep is off the CPU without waiting for a core: the worker's `blocked` is what is left of busy."""
    seen: dict[str, float] = {}

    def sleeper() -> None:
        seen["before"], began, cpu_began = thread_cpu_wait_s(), time.perf_counter(), time.thread_time()
        time.sleep(0.3)
        seen["waited"] = thread_cpu_wait_s() - seen["before"]
        seen["blocked"] = time.perf_counter() - began - (time.thread_time() - cpu_began) - seen["waited"]

    thread = threading.Thread(target=sleeper)
    thread.start(), thread.join()
    assert 0.0 <= seen["waited"] < 0.3 <= seen["blocked"] + seen["waited"]
