"""The approval line and the bands come from the stated rule (docs/risk-line.md), and a declined applicant is told
what would change it."""
from __future__ import annotations

import json

import numpy as np
import pytest
from risk_helpers import TODAY, applicant, authentic, valid

from credlift.domain.credential import CredentialRecord
from credlift.tools.limits import decide
from credlift.tools.policy_parameters import RiskAppetite, load_policy_parameters
from credlift.tools.risk.appetite import approval_line, break_even_pd, line_from_appetite, net_margin
from credlift.tools.risk.scorecard import DEFAULT_MODEL_FILE, Scorecard, card_path
from credlift.training.risk.line import derive_bands


def test_break_even_pd_worked_numbers():
    """18.25% yield - 3.0% funding - 4.0% operating = 11.25% margin; 0.1125 / (0.1125 + 0.85) = 11.69% -> 11.6%."""
    appetite = load_policy_parameters().risk_appetite
    assert net_margin(appetite) == pytest.approx(0.1125)
    assert break_even_pd(appetite) == pytest.approx(0.1125 / 0.9625)
    assert line_from_appetite(appetite) == pytest.approx(0.116)
    # rounding goes down, never above break-even; no margin -> no line
    assert line_from_appetite(appetite) <= break_even_pd(appetite)
    assert break_even_pd(RiskAppetite(interest_yield=0.05, funding_cost=0.03, operating_cost=0.04,
                                      loss_given_default=0.85)) == 0.0
    # a dearer loss moves the line down
    assert break_even_pd(appetite.model_copy(update={"loss_given_default": 1.0})) < break_even_pd(appetite)


def test_policy_bands_are_the_rule_applied_to_the_shipped_scorecard():
    """parameters.yaml pd_scaling = what `credlift scorecard train` derived on the shipped model (its card)."""
    params = load_policy_parameters()
    assert approval_line(params) == pytest.approx(line_from_appetite(params.risk_appetite))
    card = json.loads(card_path(DEFAULT_MODEL_FILE).read_text(encoding="utf-8"))
    derived = card["policy_line"]
    assert derived["line"] == pytest.approx(approval_line(params))
    assert [(b["band"], b["max_pd"], b["factor"]) for b in derived["bands"]] == \
        [(b.band, b.max_pd, b.factor) for b in params.pd_scaling]
    # each approving band holds about a third of the approvable out-of-time applications
    counts = [b["applications"] for b in derived["by_band"][:3]]
    assert max(counts) / sum(counts) < 0.36 and min(counts) / sum(counts) > 0.30
    # the scorecard is calibrated where it matters: expected vs observed default rate of the approved
    for figures in derived["figures"]:
        assert abs(figures["expected_default_rate"] - figures["observed_default_rate"]) < 0.005


def test_derive_bands_takes_tertiles_of_the_approvable():
    pds = np.concatenate([np.linspace(0.0, 0.09, 91), [0.2, 0.3]])  # two above the line never count
    tertiles, bands = derive_bands(pds, 0.1)
    assert tertiles == pytest.approx([0.03, 0.06])
    assert [(b.band, b.max_pd) for b in bands] == [("A", 0.03), ("B", 0.06), ("C", 0.1), ("D", 1.0)]
    assert [b.factor for b in bands] == [1.0, 0.8, 0.5, 0.0]


@pytest.fixture(scope="module")
def shipped():
    return Scorecard.load(DEFAULT_MODEL_FILE)


def _degree(person):
    return CredentialRecord(type="degree", fields={"holder_name": person.name, "certificate_number": "N-1",
                                                   "degree_level": "bachelor", "issue_date": "2025-06-30"})


def test_next_steps_are_the_smallest_changes_that_cross_the_line(shipped):
    line = approval_line()
    person = applicant(utilisation=0.35, months_on_book=4, current_limit=2000)
    score = shipped.score(person, _degree(person), TODAY)
    assert score.probability_of_default > line and score.thin_file
    months, utilisation = score.months_to_line, score.utilisation_to_line
    assert months is not None and utilisation is not None

    def pd_with(**changes):
        return shipped.score(person.model_copy(update=changes), _degree(person), TODAY).probability_of_default

    assert pd_with(months_on_book=4 + months) <= line < pd_with(months_on_book=4 + months - 1)
    assert pd_with(utilisation=utilisation) <= line < pd_with(utilisation=round(utilisation + 0.01, 2))
    # under the line: nothing to suggest
    settled = person.model_copy(update={"months_on_book": 40, "utilisation": 0.1})
    calm = shipped.score(settled, _degree(settled), TODAY)
    assert calm.probability_of_default <= line and calm.months_to_line is None and calm.utilisation_to_line is None


def test_a_declined_thin_file_applicant_hears_why_and_what_to_do(shipped):
    person = applicant(utilisation=0.35, months_on_book=4, current_limit=2000)
    score = shipped.score(person, _degree(person), TODAY)
    decision = decide(person, _degree(person), valid(), authentic(), score, today=TODAY)
    assert decision.kind == "decline" and decision.reason_codes[0].code == "RISK_PD_HIGH"
    reason = decision.reason_codes[0]
    assert "a short credit record" in reason.text_en and "信用记录较少" in reason.text_zh
    assert "%" not in reason.text_en and "%" not in reason.text_zh          # no PD figure for the applicant
    balance = int(score.utilisation_to_line * 2000)
    texts_en = [c.text_en for c in decision.counterfactuals]
    texts_zh = [c.text_zh for c in decision.counterfactuals]
    assert f"{balance} yuan" in texts_en[0] and f"{balance} 元" in texts_zh[0]
    assert f"{score.months_to_line} more month" in texts_en[1] and f"{score.months_to_line} 个月" in texts_zh[1]
    assert "REV-APPEAL" in decision.clause_ids


def test_when_no_single_change_crosses_the_line_the_step_says_so_plainly(shipped):
    """A recent delinquency is declined by its own rule; here a PD far above the line with no path in 36 months."""
    person = applicant(utilisation=0.8, months_on_book=0, current_limit=2000, income_band="low")
    score = shipped.score(person, _degree(person), TODAY).model_copy(
        update={"probability_of_default": 0.6, "months_to_line": None, "utilisation_to_line": None})
    decision = decide(person, _degree(person), valid(), authentic(), score, today=TODAY)
    assert decision.kind == "decline"
    assert any("appeal" in c.text_en and "申诉" in c.text_zh for c in decision.counterfactuals)


def _credlift(*args: str, data_dir) -> "subprocess.CompletedProcess":
    import subprocess
    import sys
    from pathlib import Path

    env = {"PATH": "/usr/bin:/bin", "CREDLIFT_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1"}
    return subprocess.run([str(Path(sys.executable).with_name("credlift")), *args], capture_output=True, text=True,
                          timeout=900, env=env)


def test_stability_command_reports_every_seed(tmp_path):
    out = tmp_path / "stability.json"
    done = _credlift("scorecard", "stability", "--seeds", "3,4", "--rows", "20000", "--out", str(out),
                     data_dir=tmp_path / "data")
    assert done.returncode == 0, done.stderr
    result = json.loads(out.read_text(encoding="utf-8"))
    assert [s["seed"] for s in result["seeds"]] == [3, 4]
    for seed in result["seeds"]:
        assert 0.6 < seed["auc"] < 0.9 and seed["ks"] > 0
        thin = seed["segments"]["thin_file=yes"]["features"]
        assert {"iv", "coefficient"} <= set(thin["credential"]) and thin["credential"]["iv"] >= 0
        assert [b["band"] for b in seed["bands"]] == ["A", "B", "C", "D"] and seed["line"] == pytest.approx(0.116)
        demo = {row["account_id"]: row for row in seed["demo"]}
        assert set(demo["demo-graduate-01"]["pd"]) >= {"none", "degree:bachelor", "cet6:561"}
    assert f"seed 3: AUC {result['seeds'][0]['auc']:.3f}" in done.stdout


def test_stability_command_refuses_bad_seeds_in_one_line(credlift_cli, data_dir, tmp_path):
    code, _, err = credlift_cli("scorecard", "stability", "--seeds", "one,two", "--out", str(tmp_path / "s.json"))
    assert code == 2 and "Traceback" not in err
    assert "--seeds" in err and not (tmp_path / "s.json").exists()
