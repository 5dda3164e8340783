"""The credential study on a lender's own book through a column map: both real books (committed under
data-real/), the targets on the UCI sample, fairness, inclusion, protected attributes kept out of the model,
and one-line errors for bad maps."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[2]
UCI = REPO / "data-real" / "UCI_Credit_Card.zip"
UCI_MAP = REPO / "data-real" / "uci_credit_card.columns.yaml"
GERMAN = REPO / "data-real" / "germancredit.csv"
GERMAN_MAP = REPO / "data-real" / "german_credit.columns.yaml"


@pytest.fixture(scope="module")
def uci_report(tmp_path_factory):
    from credlift.training.risk.mapped_study import run_mapped_study

    return run_mapped_study(UCI, UCI_MAP, tmp_path_factory.mktemp("uci"))


@pytest.fixture(scope="module")
def german_report(tmp_path_factory):
    from credlift.training.risk.mapped_study import run_mapped_study

    return run_mapped_study(GERMAN, GERMAN_MAP, tmp_path_factory.mktemp("german"))


def test_uci_graduate_school_rate_and_log_odds_against_high_school(uci_report):
    graduate = next(r for r in uci_report.credentials if r.credential_level == "graduate_school")
    high_school = next(r for r in uci_report.credentials if r.credential_level == "high_school")
    assert (graduate.holders, graduate.defaults) == (2186, 397)
    assert abs(graduate.default_rate - 0.182) < 0.0005 and abs(high_school.default_rate - 0.252) < 0.0005
    assert abs(graduate.log_odds_vs_reference - (-0.42)) <= 0.05
    assert graduate.lor_ci_low < graduate.log_odds_vs_reference < graduate.lor_ci_high < 0
    assert graduate.ci_low < graduate.default_rate < graduate.ci_high
    university = next(r for r in uci_report.credentials if r.credential_level == "university")
    assert abs(university.log_odds_vs_reference) < 0.02 and university.lor_ci_low < 0 < university.lor_ci_high
    # controlling for the credit limit and the bill halves the graduate-school effect; still below zero
    adjusted = next(e for e in uci_report.adjusted_effects if e.credential_level == "graduate_school")
    assert adjusted.reference == "high_school"
    assert graduate.log_odds_vs_reference < adjusted.log_odds < 0 and adjusted.ci_high < 0


def test_uci_report_states_the_caveats_and_writes_plots(uci_report):
    text = Path(uci_report.report_markdown).read_text(encoding="utf-8")
    assert any("no application month" in c for c in uci_report.caveats)
    assert any("no thin-file flag" in c for c in uci_report.caveats)
    assert "## Fairness" in text and "| MARRIAGE | 2 |" in text and "-0.42" in text
    assert uci_report.validation.startswith("5-fold cross-validation")
    assert len(uci_report.plots) == 6
    for plot in uci_report.plots:
        assert Path(plot).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and Path(plot).name in text
    assert 0.55 < uci_report.backtest.auc < 0.7


def test_inclusion_and_fairness_on_both_books(uci_report, german_report):
    for report in (uci_report, german_report):
        inclusion = report.inclusion
        assert inclusion.thin_file_applicants == report.rows and "no thin-file flag" in inclusion.population
        assert inclusion.credential_matched_risk.expected_default_rate <= inclusion.traditional.expected_default_rate + 1e-12
        assert inclusion.credential_matched_risk.approved >= inclusion.traditional.approved
    assert {r.attribute for r in uci_report.fairness} == {"MARRIAGE"}
    assert {r.attribute for r in german_report.fairness} == {"personal_status_and_sex", "age band", "foreign_worker"}
    for report in (uci_report, german_report):
        for attribute in {r.attribute for r in report.fairness}:
            rows = [r for r in report.fairness if r.attribute == attribute]
            assert sum(r.applicants for r in rows) == report.inclusion.thin_file_applicants
            big = [r for r in rows if not r.small_group]
            assert max(r.air_credential for r in big) == pytest.approx(1.0)
            assert all(r.flagged == (r.air_credential < 0.8) for r in big)
    ages = {r.group for r in german_report.fairness if r.attribute == "age band"}
    assert ages == {"<25", "25-35", "35-50", "50+"}


def test_german_job_levels_and_adjusted_effects(german_report):
    levels = {r.credential_level: r for r in german_report.credentials}
    assert (levels["unskilled"].holders, levels["skilled"].holders, levels["highly_qualified"].holders) == (222, 630, 148)
    assert abs(levels["all"].default_rate - 0.30) < 1e-9
    assert {e.credential_level for e in german_report.adjusted_effects} == {"skilled", "highly_qualified"}
    for effect in german_report.adjusted_effects:   # job skill carries no clear effect in this book
        assert effect.ci_low < 0 < effect.ci_high


def test_protected_attributes_never_enter_the_model(tmp_path):
    """Shuffling the protected columns changes the fairness table only: every estimate, PD and approval
    count stays the same."""
    from credlift.training.risk.column_map import apply_column_map, load_column_map
    from credlift.training.risk.mapped_study import control_matrix, model_frame, run_mapped_study

    book = pd.read_csv(GERMAN)
    cmap = load_column_map(GERMAN_MAP)
    frame = apply_column_map(book, cmap)
    _matrix, names = control_matrix(frame, cmap)
    assert not any(p in n for p in cmap.protected_columns for n in names)
    assert set(model_frame(frame, cmap).columns) == set(cmap.controls) | {"credential"}

    shuffled = book.copy()
    rng = np.random.default_rng(3)
    for column in cmap.protected_columns:
        shuffled[column] = rng.permutation(shuffled[column].to_numpy())
    shuffled.to_csv(tmp_path / "shuffled.csv", index=False)
    original = run_mapped_study(GERMAN, GERMAN_MAP, tmp_path / "a", plots=False)
    changed = run_mapped_study(tmp_path / "shuffled.csv", GERMAN_MAP, tmp_path / "b", plots=False)
    assert original.adjusted_effects == changed.adjusted_effects
    assert original.credentials == changed.credentials
    assert original.backtest == changed.backtest
    assert original.inclusion == changed.inclusion
    assert original.fairness != changed.fairness


def test_a_map_that_makes_a_protected_attribute_a_control_is_refused(credlift_cli, tmp_path):
    (tmp_path / "bad.yaml").write_text(UCI_MAP.read_text(encoding="utf-8").replace(
        "controls: [LIMIT_BAL, BILL_AMT1]", "controls: [LIMIT_BAL, BILL_AMT1, MARRIAGE]"), encoding="utf-8")
    code, _out, err = credlift_cli("study", str(UCI), "--columns", str(tmp_path / "bad.yaml"),
                                   "--out", str(tmp_path / "r"))
    assert code == 2 and err.strip().count("\n") == 0
    assert "MARRIAGE is protected and cannot be a control" in err


@pytest.mark.parametrize("edit, message", [
    (("credential: EDUCATION", "credential: SCHOOLING"), "lacks the mapped columns SCHOOLING"),
    (("reference: high_school", "reference: college"), "reference 'college' is none of the levels"),
    (("6: other_or_unknown, 0: other_or_unknown}", "6: other_or_unknown}"), "values '0' that levels does not recode"),
    (("outcome: default ", "outcomes: default "), "outcome: Field required"),
    (("protected: [MARRIAGE]", "protected: [MARRIAGE]\nsurprise: 1"), "surprise: Extra inputs are not permitted"),
    (("levels: {1:", "levels: [1:"), "is not valid YAML"),
])
def test_bad_maps_give_one_line_errors_and_exit_2(credlift_cli, tmp_path, edit, message):
    text = UCI_MAP.read_text(encoding="utf-8")
    assert edit[0] in text
    (tmp_path / "map.yaml").write_text(text.replace(edit[0], edit[1]), encoding="utf-8")
    code, _out, err = credlift_cli("study", str(UCI), "--columns", str(tmp_path / "map.yaml"),
                                   "--out", str(tmp_path / "r"))
    assert code == 2, err
    assert err.strip().count("\n") == 0 and message in err and "Traceback" not in err


def test_study_command_on_the_uci_book_prints_json_of_todays_shape(credlift_cli, tmp_path):
    code, out, err = credlift_cli("study", str(UCI), "--columns", str(UCI_MAP),
                                  "--out", str(tmp_path / "r"), "--json")
    assert code == 0, err
    data = json.loads(out)
    row = next(r for r in data["credentials"] if r["credential_level"] == "graduate_school")
    assert {"credential_level", "holders", "defaults", "default_rate", "ci_low", "ci_high"} <= set(row)
    assert {"credential_level", "log_odds", "ci_low", "ci_high"} <= set(data["adjusted_effects"][0])
    assert data["fairness"] and data["inclusion"]["traditional"]["approved"] > 0
    assert (tmp_path / "r" / "report.html").exists()


def test_a_book_with_month_and_thin_file_columns_is_split_out_of_time(tmp_path):
    """The generated book read through a map: out-of-time split on the month, inclusion on thin-file
    applicants, no caveat about either."""
    from credlift.training.risk.loanbook import generate_loan_book, write_loan_book
    from credlift.training.risk.mapped_study import run_mapped_study

    book = generate_loan_book(rows=40_000, seed=5, effects="strong")  # recovery power for the effect's sign
    book["degree_level"] = np.where(book["credential_type"] == "degree", book["credential_level"], "none")
    book["age"] = np.random.default_rng(1).integers(20, 60, len(book))
    write_loan_book(book, tmp_path / "book.csv")
    (tmp_path / "map.yaml").write_text(
        "outcome: default_12m\ncredential: degree_level\nreference: none\n"
        "controls: [utilisation, months_on_book, delinquent_last_12m, income_band]\n"
        "protected: [{column: age, cuts: [30, 45]}]\nmonth: application_month\n"
        "thin_file: {column: thin_file, values: [true]}\n", encoding="utf-8")
    report = run_mapped_study(tmp_path / "book.csv", tmp_path / "map.yaml", tmp_path / "r", plots=False)
    assert report.validation.startswith("out of time") and report.backtest.test_period.endswith("2025-12")
    assert not any("month" in c or "thin-file flag" in c for c in report.caveats)
    assert report.inclusion.population.startswith("thin-file applicants")
    assert report.inclusion.thin_file_applicants == int(book.loc[book["application_month"] >= "2025-07", "thin_file"].sum())
    assert report.backtest.auc > 0.7
    bachelor = next(e for e in report.adjusted_effects if e.credential_level == "bachelor")
    assert bachelor.ci_high < 0
    assert {r.group for r in report.fairness} == {"<30", "30-45", "45+"}
