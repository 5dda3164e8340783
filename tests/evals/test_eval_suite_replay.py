"""CI's proof: the whole dialogue suite replays through `credlift eval` on the embedded default and passes, and
the report it writes says what its JSON says.

The command runs in this process (typer's runner), so the models the other tests loaded are loaded once, and no
wall-clock limit can fail it on a busy machine: the work is bounded by the suite itself."""
from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace

import pytest

SUITE = Path(__file__).resolve().parents[2] / "evals" / "dialogues"


@pytest.fixture(scope="module")
def replay(tmp_path_factory):
    from typer.testing import CliRunner

    from credlift.settings import reset_settings_cache
    from credlift.ui.cli import app

    report = tmp_path_factory.mktemp("eval-report")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GRADIO_ANALYTICS_ENABLED", "False")
        patch.setenv("CREDLIFT_DATA_DIR", str(tmp_path_factory.mktemp("eval-app-data")))
        reset_settings_cache()
        result = CliRunner().invoke(app, ["eval", "--dialogues", str(SUITE), "--report", str(report),
                                          "--latency-clock", "work",
                                          "--data-dir", str(tmp_path_factory.mktemp("eval-state"))])
    reset_settings_cache()
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    completed = SimpleNamespace(stdout=result.stdout, stderr=getattr(result, "stderr", ""), returncode=result.exit_code)
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
