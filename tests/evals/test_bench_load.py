"""`credlift bench --load N`: N sequential uploads in one app process, its memory after each; the report's page
and JSON agree and the growth figure is computed from the curve it shows."""
from __future__ import annotations

import json
import os
import subprocess
import sys


def test_a_short_load_run_reports_memory_after_every_upload(tmp_path):
    report, work = tmp_path / "report", tmp_path / "work"
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False"}
    completed = subprocess.run([sys.executable, "-m", "credlift.ui.cli", "bench", "--load", "4", "--load-warmup", "2",
                                "--report", str(report), "--work-dir", str(work)],
                               capture_output=True, text=True, env=env, timeout=3600)
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert "growth" in completed.stdout and "bench-load.html" in completed.stdout
    run = json.loads((report / "bench-load.json").read_text(encoding="utf-8"))
    assert run["uploads"] == 4 and len(run["rss_mb"]) == 4 and run["warmup"] == 2
    assert all(value > 50 for value in run["rss_mb"])  # an app process with its models loaded
    assert run["rss_after_warmup_mb"] == run["rss_mb"][1] and run["rss_at_end_mb"] == run["rss_mb"][-1]
    expected = (run["rss_mb"][-1] - run["rss_mb"][1]) / run["rss_mb"][1]
    assert abs(run["growth_after_warmup"] - expected) < 1e-3 and run["met"] == (expected <= 0.10)
    assert sum(run["decisions"].values()) == 4
    page = (report / "bench-load.html").read_text(encoding="utf-8")
    assert "data:image/png;base64," in page and "data-key='uploads'>4<" in page


def test_a_load_of_one_upload_is_refused_with_one_line(credlift_cli):
    code, _, stderr = credlift_cli("bench", "--load", "1")
    assert code == 2 and "at least 2" in stderr and "Traceback" not in stderr
