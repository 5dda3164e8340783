"""The bench splits a worker's wall time into its CPU, waiting for a core and blocked (evals/bench/scheduling.py)."""
from __future__ import annotations

import sys
import threading
import time

import pytest

from credlift.evals.bench.scheduling import cpu_wait_s


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


def test_a_sleeping_thread_is_blocked_not_waiting():
    """Time asleep is off the CPU without waiting for a core: the report's `blocked` is what is left of busy."""
    waited = cpu_wait_s()
    thread = threading.Thread(target=time.sleep, args=(0.2,))
    thread.start(), thread.join()
    if waited is not None:
        assert cpu_wait_s() - waited < 0.2  # 0.2 s asleep did not count as waiting for a core
