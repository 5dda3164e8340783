"""One thread budget per worker: every library pool of a worker takes it (credlift/threads.py)."""
from __future__ import annotations

import json
import os
import subprocess
import sys

from credlift import threads

PROBE = r"""
import json, os
import numpy  # BLAS loaded before the budget: threadpoolctl must still narrow it
from credlift.settings import get_settings
from credlift import threads
applied = threads.apply_from_settings(get_settings())
import cv2
from threadpoolctl import threadpool_info
from credlift.tools.extraction.ocr import _engine
engine = _engine()
options = engine.text_det.infer.session.get_session_options()
from credlift.tools.forensics.signals.trace import _session_from, NETWORK_PATH
trace = _session_from(NETWORK_PATH).get_session_options()
spinning = "session.intra_op.allow_spinning"
print(json.dumps({"applied": applied, "cv2": cv2.getNumThreads(), "omp": os.environ["OMP_NUM_THREADS"],
                  "blas": sorted({pool["num_threads"] for pool in threadpool_info()}),
                  "ocr": options.intra_op_num_threads, "trace": trace.intra_op_num_threads,
                  "spinning": [options.get_session_config_entry(spinning), trace.get_session_config_entry(spinning)],
                  "ocr_arena": options.enable_cpu_mem_arena}))
"""


def test_the_budget_is_the_cores_shared_by_the_workers_unless_set():
    assert threads.budget(3, workers=5) == 3
    assert threads.budget(0, workers=1) == threads.cores()
    assert threads.budget(0, workers=threads.cores() * 4) == 1  # never below one thread


def _probe(tmp_path, threads_per_worker: str) -> dict:
    env = {**os.environ, "CREDLIFT_DATA_DIR": str(tmp_path), "CREDLIFT_WORKERS": "2",
           "CREDLIFT_THREADS_PER_WORKER": threads_per_worker}
    env.pop("OMP_NUM_THREADS", None)
    completed = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, env=env, timeout=900)
    assert completed.returncode == 0, completed.stderr[-3000:]
    return json.loads(completed.stdout.strip().splitlines()[-1])


def test_two_threads_or_more_make_two_lanes_that_share_the_budget(monkeypatch):
    for budget, lanes, per_lane in ((1, 1, 1), (2, 2, 1), (3, 2, 1), (4, 2, 2)):
        monkeypatch.setattr(threads, "_applied", budget)
        assert (threads.lanes(), threads.per_lane()) == (lanes, per_lane), budget


def test_a_budget_of_four_gives_each_lanes_sessions_two_threads(tmp_path):
    seen = _probe(tmp_path, "4")
    # the page read and the image checks run at once (tools/forensics/early.py): each session gets half the budget
    assert (seen["applied"], seen["cv2"], seen["omp"], seen["ocr"], seen["trace"]) == (4, 4, "4", 2, 2)


def test_every_pool_of_a_worker_takes_its_budget(tmp_path):
    seen = _probe(tmp_path, "1")
    # onnxruntime's threads sleep between runs instead of spinning (two threads read a page for 2.3 CPU-s spinning,
    # 1.35 not); what RapidOCR sets itself (no memory arena) stays
    assert seen == {"applied": 1, "cv2": 1, "omp": "1", "blas": [1], "ocr": 1, "trace": 1, "spinning": ["0", "0"],
                    "ocr_arena": False}
