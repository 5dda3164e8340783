"""CI's proof: the whole dialogue suite replays through `credlift eval` on the embedded default and passes, and
the report it writes says what its JSON says.

The command runs in this process (typer's runner), so the models the other tests loaded are loaded once, and no
wall-clock limit can fail it on a busy machine: the work is bounded by the suite itself. The suite is replayed in
SHARDS parts (`credlift eval --shard K/N`), one test class each, so that test workers (`pytest -n 2 --dist
loadscope`, scripts/run-tests.sh) replay them side by side; together the shards are the whole suite."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

SUITE = Path(__file__).resolve().parents[2] / "evals" / "dialogues"
SHARDS = 4


def replay_shard(shard: int, tmp_path_factory) -> tuple[str, int, Path]:
    from typer.testing import CliRunner

    from credlift.settings import reset_settings_cache
    from credlift.ui.cli import app

    report = tmp_path_factory.mktemp(f"eval-report-{shard}")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GRADIO_ANALYTICS_ENABLED", "False")
        patch.setenv("CREDLIFT_DATA_DIR", str(tmp_path_factory.mktemp("eval-app-data")))
        reset_settings_cache()
        result = CliRunner().invoke(app, ["eval", "--dialogues", str(SUITE), "--report", str(report),
                                          "--latency-clock", "work", "--shard", f"{shard}/{SHARDS}",
                                          "--data-dir", str(tmp_path_factory.mktemp("eval-state"))])
    reset_settings_cache()
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.stdout, result.exit_code, report


class _Shard:
    shard = 0

    def test_its_dialogues_pass_and_the_report_says_what_its_json_says(self, tmp_path_factory):
        stdout, code, report = replay_shard(self.shard, tmp_path_factory)
        last = stdout.strip().splitlines()[-1]
        failures = [line for line in stdout.splitlines() if line.startswith("FAIL")]
        assert re.fullmatch(r"\d+ passed, 0 failed", last), "\n".join(failures) or stdout[-2000:]
        assert code == 0
        summary = json.loads((report / "eval-summary.json").read_text(encoding="utf-8"))
        page = (report / "eval.html").read_text(encoding="utf-8")
        assert summary["dialogues"] == len(suite_ids()[self.shard - 1::SHARDS]) >= 10
        assert f"{summary['passed']} passed, {summary['failed']} failed" in page
        assert last == f"{summary['passed']} passed, {summary['failed']} failed"
        from credlift.evals.bench.report import fmt, lookup

        keyed = re.findall(r'data-key="([^"]+)">([^<]*)<', page)
        assert keyed, "the page marks its numbers with their JSON paths"
        for key, shown in keyed:
            assert shown == fmt(lookup(summary, key)), key
        assert "data:image/png;base64," in page


class TestReplayShard1(_Shard):
    shard = 1


class TestReplayShard2(_Shard):
    shard = 2


class TestReplayShard3(_Shard):
    shard = 3


class TestReplayShard4(_Shard):
    shard = 4


def suite_ids() -> list[str]:
    from credlift.evals.replay.format import load_suite

    return [dialogue.id for dialogue in load_suite(SUITE)]


def test_the_shards_partition_the_suite():
    from credlift.evals.replay.format import shard_slice

    ids = suite_ids()
    parts = [ids[slice(*shard_slice(f"{k}/{SHARDS}"))] for k in range(1, SHARDS + 1)]
    assert sorted(sum(parts, [])) == sorted(ids) and len(set(ids)) == len(ids) >= 50
    assert max(map(len, parts)) - min(map(len, parts)) <= 1


@pytest.mark.parametrize("shard", ["0/4", "5/4", "a/b", "2"])
def test_a_bad_shard_is_refused_in_one_line(credlift_cli, shard):
    code, out, err = credlift_cli("eval", "--shard", shard)
    assert code == 2 and "--shard" in err and "Traceback" not in err + out and len(err.strip().splitlines()) == 1
