"""The increase a credential earns follows the evidence that its holders repay better: the rule on a small
table, the shipped evidence file, and worked decisions on the demo accounts with the shipped scorecard."""
from __future__ import annotations

import math

import pytest
from risk_helpers import TODAY, authentic, valid

from credlift.domain.credential import CredentialRecord
from credlift.tools.accounts import load_demo_profiles
from credlift.tools.limits import decide
from credlift.tools.policy_parameters import EvidenceRule, load_policy_parameters
from credlift.tools.risk.evidence import (CredentialEvidence, LevelEvidence, evidence_share,
                                          load_credential_evidence)
from credlift.tools.risk.scorecard import DEFAULT_MODEL_FILE, Scorecard

RULE = EvidenceRule(min_holders=500, full_credit_log_odds=0.10)


def _table(*levels: tuple[str, int, float]) -> CredentialEvidence:
    return CredentialEvidence(source="test", types={"vocational": [
        LevelEvidence(level=lv, holders=n, log_odds=hi - 0.1, ci_low=hi - 0.2, ci_high=hi) for lv, n, hi in levels]})


@pytest.mark.parametrize("ci_high, holders, percent, why", [
    (-0.25, 5000, 100, "full"),       # bound beyond the full-credit line
    (-0.10, 5000, 100, "full"),       # exactly on it
    (-0.05, 5000, 50, "partial"),     # half way: half the table
    (-0.013, 5000, 13, "partial"),    # whole percent, rounded down
    (0.00, 5000, 0, "no_effect"),     # the interval reaches "no effect"
    (0.12, 5000, 0, "no_effect"),
    (-0.40, 499, 0, "thin_cell"),     # a strong estimate on too few holders earns nothing
])
def test_share_of_the_table_follows_the_conservative_bound_and_the_holders(ci_high, holders, percent, why):
    share = evidence_share("vocational", "5", _table(("5", holders, ci_high)), RULE)
    assert (share.percent, share.why) == (percent, why)


def test_a_higher_level_earns_at_least_the_evidence_of_the_level_below_but_not_a_thin_one():
    table = _table(("5", 4000, -0.04), ("4", 800, 0.03), ("3", 300, -0.30), ("2", 900, -0.02))
    assert evidence_share("vocational", "4", table, RULE).model_dump() == {
        "percent": 40, "holders": 4000, "bound": -0.04, "pooled_from": "5", "why": "partial"}
    assert evidence_share("vocational", "3", table, RULE).why == "thin_cell"   # its own cell is thin: nothing
    two = evidence_share("vocational", "2", table, RULE)                        # the thin level 3 lends nothing
    assert (two.percent, two.pooled_from) == (40, "5")
    assert evidence_share("vocational", "1", table, RULE).why == "no_evidence"
    assert evidence_share("award", "national", table, RULE).percent == 0


def test_shipped_evidence_is_the_study_of_the_evidence_sized_book():
    evidence = load_credential_evidence()
    rule = load_policy_parameters().evidence
    assert "--seed 1" in evidence.source and "evidence-sized" in evidence.source
    levels = {(t, e.level): e for t, items in evidence.types.items() for e in items}
    from credlift.tools.credentials import LEVEL_ORDER

    # every level of every registered type, the trade proofs' (issue 25) included
    assert set(levels) == {(t, level) for t, order in LEVEL_ORDER.items() for level in order}
    for (ctype, level), item in levels.items():
        assert item.ci_low < item.log_odds < item.ci_high
        share = evidence_share(ctype, level)
        if item.holders < rule.min_holders:
            assert share.percent == 0
        if share.percent > 0:                       # only a bound below zero earns anything
            assert share.bound < 0 and share.holders >= rule.min_holders
    assert evidence_share("cet4", "below_425").percent == 0 and evidence_share("cet6", "below_425").percent == 0
    # the planted null is not credited; degree holders, the best-studied effect, earn the full table
    assert all(evidence_share("degree", lv).percent == 100 for lv in ("bachelor", "master", "doctor"))


@pytest.fixture(scope="module")
def shipped():
    return Scorecard.load(DEFAULT_MODEL_FILE), {p.account_id: p for p in load_demo_profiles()}


def _decide(model, profile, ctype, **fields):
    credential = CredentialRecord(type=ctype, fields={"holder_name": profile.name, "certificate_number": "N-1",
                                                      "issue_date": "2024-06-30", **fields})
    score = model.score(profile, credential, TODAY)
    return score, decide(profile, credential, valid(), authentic(), score, today=TODAY)


def _band(pd_: float):
    return next(b for b in load_policy_parameters().pd_scaling if pd_ <= b.max_pd)


def test_worked_numbers_on_the_demo_accounts(shipped):
    """Table amount x evidence share x PD-band factor, rounded down to 100 yuan, on the shipped scorecard."""
    model, profiles = shipped
    params = load_policy_parameters()

    # a driver's bachelor's degree: full evidence (100%), band B (PD 6.0%, x0.8): 3000 x 1.00 x 0.8 = 2400
    score, decision = _decide(model, profiles["demo-driver-01"], "degree", degree_level="bachelor")
    assert _band(score.probability_of_default).band == "B"
    assert decision.kind == "approve" and decision.increase == 2400
    assert decision.inputs["credential"]["evidence"]["percent"] == 100

    # the same driver's level-4 vocational certificate: 1500 x 11% (bound -0.011) = 165, band C (PD 7.7%, x0.5)
    # = 82.5, rounded down to nothing: below one rounding unit the level earns no increase
    share = evidence_share("vocational", "4")
    assert share.percent == 11
    score, decision = _decide(model, profiles["demo-driver-01"], "vocational", skill_level="4")
    assert _band(score.probability_of_default).band == "C"
    assert decision.increase == int(1500 * 11 // 100 * 0.5) // 100 * 100 == 0

    # an established customer's CET-4 of 500: 1000 x 55% (bound -0.056 of the 0.10 full-credit line) = 550,
    # band A (x1.0), rounded down to 500; the reason says why
    share = evidence_share("cet4", "425-549")
    assert share.percent == math.floor(100 * -share.bound / params.evidence.full_credit_log_odds)
    score, decision = _decide(model, profiles["demo-established-01"], "cet4", total_score=500)
    assert _band(score.probability_of_default).band == "A"
    assert decision.increase == (1000 * share.percent // 100) // 100 * 100 == 500
    evidence_reason = next(r for r in decision.reason_codes if r.code == "INC_EVIDENCE")
    assert f"{share.percent}%" in evidence_reason.text_en and "INC-CET4" in evidence_reason.clause_ids

    # a provincial award: its holders' effect is not certain at 95% -> nothing, whatever the band
    _score, decision = _decide(model, profiles["demo-established-01"], "award", award_scope="provincial")
    assert decision.kind == "decline" and [r.code for r in decision.reason_codes][0] == "CRED_NO_EVIDENCE"

    # a fresh graduate (4 months on book) with a bachelor's degree: PD 15.7%, above the 11.6% break-even line
    # (docs/risk-line.md) -> declined, with the two next steps the scorecard says would do it: a balance of
    # 23% of the 2000 limit (460 yuan), or 5 more months of on-time history
    score, decision = _decide(model, profiles["demo-graduate-01"], "degree", degree_level="bachelor")
    assert _band(score.probability_of_default).band == "D" and round(score.probability_of_default, 3) == 0.157
    assert decision.kind == "decline" and decision.reason_codes[0].code == "RISK_PD_HIGH"
    assert (score.months_to_line, score.utilisation_to_line) == (5, 0.23)
    steps = " ".join(c.text_en for c in decision.counterfactuals)
    assert "460 yuan" in steps and "5 more months" in steps and "2027-04-24" in steps

    # a graduate in the second year with the card (14 months): PD 6.8%, band B: 3000 x 1.00 x 0.8 = 2400
    score, decision = _decide(model, profiles["demo-graduate-03"], "degree", degree_level="bachelor")
    assert _band(score.probability_of_default).band == "B"
    assert decision.kind == "approve" and decision.increase == 2400


def test_stronger_credentials_never_earn_less_on_the_same_account(shipped):
    """Along each credential's levels the increase does not fall on the demo accounts that get increases."""
    model, profiles = shipped
    ladders = {"degree": ("degree_level", ("bachelor", "master", "doctor")),
               "graduation": ("level", ("junior_college", "bachelor", "master", "doctorate")),
               "vocational": ("skill_level", ("5", "4", "3", "2", "1"))}
    for account in ("demo-driver-01", "demo-freelancer-01", "demo-technician-01", "demo-established-01",
                    "demo-graduate-03"):
        for ctype, (field, levels) in ladders.items():
            increases = [_decide(model, profiles[account], ctype, **{field: lv})[1].increase for lv in levels]
            assert increases == sorted(increases), (account, ctype, increases)


def test_scorecard_keeps_each_credentials_levels_in_order():
    from credlift.tools.risk.scorecard import FeatureBinning, monotone_credential_woe

    binning = FeatureBinning(feature="credential", kind="categorical",
                             category_woe={"cet6:425-549": 0.30, "cet6:550+": 0.10, "cet6:below_425": -0.05,
                                           "none": -0.2, "cet6:550+|old": 0.4},
                             counts=[3000, 1000, 500, 9000, 50])
    woe = monotone_credential_woe(binning).category_woe
    assert woe["cet6:below_425"] == -0.05 and woe["none"] == -0.2 and woe["cet6:550+|old"] == 0.4
    assert woe["cet6:425-549"] == woe["cet6:550+"] == pytest.approx((0.30 * 3000 + 0.10 * 1000) / 4000)


def test_study_writes_the_evidence_file_the_policy_reads(study_report, tmp_path):
    from credlift.tools.risk.evidence import evidence_from_study, write_evidence

    path = write_evidence(evidence_from_study(study_report, "test book"), tmp_path / "evidence.yaml")
    evidence = load_credential_evidence(path)
    assert evidence.source == "test book"
    degree = {e.level: e for e in evidence.types["degree"]}
    effect = study_report.effect("degree", "master")
    assert degree["master"].holders == effect.holders and degree["master"].ci_high == round(effect.ci_high, 4)
    assert [e.level for e in evidence.types["cet6"]] == ["below_425", "425-549", "550+"]
    assert evidence_share("degree", "master", evidence).percent == 100   # strong book: a clear effect


def test_evidence_out_needs_a_book_of_the_policys_credentials(tmp_path, capsys, monkeypatch):
    import sys
    from pathlib import Path

    from credlift.ui.cli import main

    repo = Path(__file__).resolve().parents[2]
    monkeypatch.setattr(sys, "argv", ["credlift", "study", str(repo / "data-real" / "germancredit.csv"), "--columns",
                                      str(repo / "data-real" / "german_credit.columns.yaml"), "--evidence-out",
                                      str(tmp_path / "e.yaml"), "--out", str(tmp_path / "r")])
    with pytest.raises(SystemExit) as exit_:
        main()
    assert exit_.value.code == 2 and "--evidence-out needs" in capsys.readouterr().err
    assert not (tmp_path / "e.yaml").exists()
