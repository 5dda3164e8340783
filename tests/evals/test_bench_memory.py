"""The bench's peak memory is the worker's own, not what a spawned process inherits from the bench."""
from __future__ import annotations

import multiprocessing

import numpy as np

from credlift.evals.bench.memory import peak_rss_mb


def _child_peak(queue) -> None:
    from credlift.evals.bench.memory import peak_rss_mb

    queue.put(peak_rss_mb())


def test_a_spawned_worker_reports_its_own_peak_not_its_parents():
    ballast = np.ones(300 * 1024 * 1024 // 8)  # 300 MB held by this process while the child starts
    parent = peak_rss_mb()
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    child = context.Process(target=_child_peak, args=(queue,))
    child.start()
    seen = queue.get(timeout=120)
    child.join(timeout=60)
    assert parent > 300 and ballast.sum() > 0
    assert 0 < seen < parent - 200, (seen, parent)  # a fresh interpreter, not the bench's 300 MB and more

