"""The credential study on a generated book: recovers the planted effects, meets the backtest targets,
shows the inclusion gain, writes a readable report; the command runs on CSV and Parquet."""
from __future__ import annotations

import json

import numpy as np
import pytest

from credlift.training.risk.loanbook import CREDENTIAL_EFFECTS_STRONG


def test_study_recovers_planted_credential_effects(study_report):
    checked = 0
    for effect in study_report.adjusted_effects:
        truth = CREDENTIAL_EFFECTS_STRONG[(effect.credential_type, effect.credential_level)]
        if truth == 0.0:
            assert effect.ci_low - 0.1 <= 0.0 <= effect.ci_high + 0.1, effect   # the planted null stays null
            continue
        assert effect.log_odds < 0, effect
        if effect.holders >= 2000:
            assert abs(effect.log_odds - truth) <= 0.3, (effect, truth)
            checked += 1
    assert checked >= 12


def test_raw_rates_are_confounded_but_adjusted_effects_order_levels(study_report):
    degree = study_report.row("degree")
    assert degree.lift_population < 1 and degree.lift_thin_peers < 1 and degree.woe > 0
    assert study_report.effect("degree", "doctor").log_odds < study_report.effect("degree", "bachelor").log_odds
    assert study_report.effect("cet6", "550+").log_odds < study_report.effect("cet6", "425-549").log_odds


def test_credential_table_has_intervals_lift_woe_and_iv(study_report):
    assert {r.credential_type for r in study_report.credentials} >= {"cet4", "cet6", "graduation", "degree",
                                                                     "vocational", "award", "qualification", "none"}
    for row in study_report.credentials:
        assert row.ci_low <= row.default_rate <= row.ci_high
        assert row.iv >= 0 or row.credential_level != "all"
    assert sum(r.holders for r in study_report.credentials if r.credential_level == "all") == study_report.rows


def test_out_of_time_backtest_meets_the_targets(study_report):
    backtest = study_report.backtest
    assert backtest.auc >= 0.75 and backtest.ks >= 0.35
    assert all(abs(c.mean_predicted - c.observed_rate) <= 0.02 for c in backtest.calibration)
    assert 0 < backtest.psi_score < 0.1
    assert backtest.psi_features["thin_file"] > 0.005          # the planted drift is seen


def test_credential_aware_policy_includes_more_thin_file_applicants_at_no_more_risk(study_report):
    inclusion = study_report.inclusion
    assert inclusion.uplift_matched_risk >= 0.20
    assert inclusion.credential_matched_risk.expected_default_rate <= inclusion.traditional.expected_default_rate
    assert inclusion.credential_same_cutoff.expected_default_rate <= inclusion.traditional.expected_default_rate
    assert inclusion.credential_same_cutoff.approved > inclusion.traditional.approved


def test_study_writes_markdown_html_and_png_plots(study_report):
    from pathlib import Path

    markdown = Path(study_report.report_markdown).read_text(encoding="utf-8")
    assert "AUC" in markdown and "| degree | doctor |" in markdown and "## Inclusion" in markdown
    assert "<table>" in Path(study_report.report_html).read_text(encoding="utf-8")
    assert len(study_report.plots) == 6
    for plot in study_report.plots:
        assert Path(plot).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and Path(plot).name in markdown


def test_loanbook_and_study_commands_read_csv_and_parquet_alike(credlift_cli, tmp_path):
    outcomes = []
    for name in ("book.csv", "book.parquet"):
        code, out, err = credlift_cli("loanbook", "generate", "--rows", "30000", "--seed", "4",
                                      "--out", str(tmp_path / name))
        assert code == 0 and "30,000 applications" in out, err
        code, out, err = credlift_cli("study", str(tmp_path / name),
                                      "--out", str(tmp_path / f"report-{name}"), "--json")
        assert code == 0, err
        outcomes.append(json.loads(out))
        assert (tmp_path / f"report-{name}" / "report.html").exists()
    assert outcomes[0]["rows"] == outcomes[1]["rows"] == 30000
    assert np.isclose(outcomes[0]["backtest"]["auc"], outcomes[1]["backtest"]["auc"])


def test_study_command_with_a_bad_path_prints_one_line_and_exits_2(credlift_cli, tmp_path):
    code, _out, err = credlift_cli("study", str(tmp_path / "missing.parquet"))
    assert code == 2
    assert err.strip().count("\n") == 0 and "does not exist" in err and "Traceback" not in err


def test_study_command_rejects_a_book_without_the_documented_columns(credlift_cli, tmp_path):
    (tmp_path / "other.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    code, _out, err = credlift_cli("study", str(tmp_path / "other.csv"))
    assert code == 2 and "lacks the columns" in err
