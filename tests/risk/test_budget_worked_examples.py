"""Budget advice for every demo account, against figures worked by hand.

What is owed is the balance (limit before the increase x utilisation), never the new limit x utilisation.
Each row: account, limit before, utilisation, new limit (an increase of 1,000 yuan), balance owed,
spending ceiling (30% of the new limit, rounded down to 100) and what is left this month (ceiling - owed, >= 0).
"""
from __future__ import annotations

from datetime import date

import pytest

from credlift.domain.decision import LimitDecision
from credlift.tools.accounts import AccountStore, load_demo_profiles
from credlift.tools.budget import propose_budget
from credlift.tools.policy_parameters import load_policy_parameters

WORKED = [
    # account,              before, util, new,   owed, ceiling, left
    ("demo-graduate-01",     2000, 0.35,  3000,   700,    900,   200),
    ("demo-graduate-02",     1500, 0.20,  2500,   300,    700,   400),
    ("demo-graduate-03",     3000, 0.25,  4000,   750,   1200,   450),
    ("demo-rider-01",        3000, 0.55,  4000,  1650,   1200,     0),
    ("demo-driver-01",       5000, 0.40,  6000,  2000,   1800,     0),
    ("demo-freelancer-01",   4000, 0.30,  5000,  1200,   1500,   300),
    ("demo-technician-01",   2500, 0.25,  3500,   625,   1000,   375),
    ("demo-highutil-01",     3000, 0.92,  4000,  2760,   1200,     0),
    ("demo-delinquent-01",   2000, 0.45,  3000,   900,    900,     0),
    ("demo-established-01", 20000, 0.15, 21000,  3000,   6300,  3300),
    ("demo-english-01",      2000, 0.30,  3000,   600,    900,   300),
]


def load_profile(account_id: str):
    """The account as seeded, before any increase."""
    return next(p for p in load_demo_profiles() if p.account_id == account_id)


def approval(account_id: str, before: int, utilisation: float, new: int) -> LimitDecision:
    return LimitDecision(kind="approve", current_limit=before, new_limit=new, increase=new - before,
                         policy_version="test",
                         inputs={"applicant": {"account_id": account_id, "current_limit": before,
                                               "utilisation": utilisation}})


def test_the_worked_examples_cover_every_demo_account_as_seeded():
    assert load_policy_parameters().budget.target_utilisation == 0.3, "the worked figures assume a 30% target"
    seeded = {p.account_id: (p.current_limit, p.utilisation) for p in load_demo_profiles()}
    assert seeded == {row[0]: (row[1], row[2]) for row in WORKED}


@pytest.mark.parametrize("account_id,before,utilisation,new,owed,ceiling,left", WORKED)
def test_budget_figures_match_the_worked_example(tmp_path, account_id, before, utilisation, new, owed, ceiling, left):
    store = AccountStore(tmp_path / "accounts.db")
    decision = approval(account_id, before, utilisation, new)
    # as the agent does it: the increase is applied to the account first, then the budget is proposed
    store.record_increase(account_id, new, "cet6:1", date(2026, 11, 24))
    after = store.get(account_id)
    assert after.current_limit == new and after.balance_owed == owed   # the limit rose, the debt did not
    for profile in (after, load_profile(account_id)):
        budget = propose_budget(profile, decision, "zh")
        assert (budget.new_limit, budget.current_balance_estimate, budget.monthly_spend_ceiling, budget.headroom) \
            == (new, owed, ceiling, left)
    zh = "".join(propose_budget(after, decision, "zh").lines_zh)
    en = " ".join(propose_budget(after, decision, "en").lines_en)
    assert f"您目前欠款 {owed} 元" in zh and f"You owe {owed} yuan now" in en
    store.close()


def test_rider_is_told_the_balance_owed_not_new_limit_times_utilisation(tmp_path):
    """The reported case: a rider (3,000 at 55%) raised to 5,400 was told ¥3,000 owed; the balance is ¥1,650."""
    store = AccountStore(tmp_path / "accounts.db")
    decision = approval("demo-rider-01", 3000, 0.55, 5400)
    store.record_increase("demo-rider-01", 5400, "cet6:1", date(2026, 11, 24))
    budget = propose_budget(store.get("demo-rider-01"), decision, "zh")
    assert budget.current_balance_estimate == 1650 and budget.monthly_spend_ceiling == 1600
    assert "欠款 1650 元" in "".join(budget.lines_zh) and "3000 元" not in "".join(budget.lines_zh[1:])
    # a decision without recorded inputs falls back on the account, which keeps the balance after the increase
    bare = decision.model_copy(update={"inputs": {}})
    assert propose_budget(store.get("demo-rider-01"), bare, "en").current_balance_estimate == 1650
    store.close()
