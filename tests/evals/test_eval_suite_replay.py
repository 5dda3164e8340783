"""CI's proof: the whole dialogue suite replays in-process through `credlift eval` on the embedded default and
passes, and the report it writes says what its JSON says."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

SUITE = Path(__file__).resolve().parents[2] / "evals" / "dialogues"


def run_cli(*args: str, timeout: int = 1500) -> subprocess.CompletedProcess:
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False"}
    return subprocess.run([sys.executable, "-m", "credlift.ui.cli", *args], capture_output=True, text=True,
                          env=env, timeout=timeout)


@pytest.fixture(scope="module")
def replay(tmp_path_factory):
    report = tmp_path_factory.mktemp("eval-report")
    completed = run_cli("eval", "--dialogues", str(SUITE), "--report", str(report),
                        "--data-dir", str(tmp_path_factory.mktemp("eval-state")))
    return completed, report


def test_the_whole_suite_passes_in_process_on_the_embedded_default(replay):
    completed, _ = replay
    last = completed.stdout.strip().splitlines()[-1]
    failures = [line for line in completed.stdout.splitlines() if line.startswith("FAIL")]
    assert re.fullmatch(r"\d+ passed, 0 failed", last), "\n".join(failures) or completed.stderr[-2000:]
    assert completed.returncode == 0


def test_the_eval_report_numbers_match_its_json(replay):
    completed, report = replay
    summary = json.loads((report / "eval-summary.json").read_text(encoding="utf-8"))
    page = (report / "eval.html").read_text(encoding="utf-8")
    assert summary["dialogues"] >= 50
    assert f"{summary['passed']} passed, {summary['failed']} failed" in page
    assert completed.stdout.strip().splitlines()[-1] == f"{summary['passed']} passed, {summary['failed']} failed"
    from credlift.evals.bench.report import fmt, lookup

    keyed = re.findall(r'data-key="([^"]+)">([^<]*)<', page)
    assert keyed, "the page marks its numbers with their JSON paths"
    for key, shown in keyed:
        assert shown == fmt(lookup(summary, key)), key
    assert "data:image/png;base64," in page
