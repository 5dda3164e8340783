"""A simple monthly budget after a limit decision (BUD-ADVICE): keep utilisation under a target, pay early."""
from __future__ import annotations

from credlift.domain.applicant import ApplicantProfile
from credlift.domain.decision import LimitDecision, MonthlyBudget
from credlift.tools.policy_parameters import load_policy_parameters


def propose_budget(applicant: ApplicantProfile, decision: LimitDecision, lang: str = "zh") -> MonthlyBudget:
    """Numbers come from the decision (new limit), the balance owed and the policy parameters.

    The balance is what the applicant owes: the decision's own record of the account before the increase
    (limit x utilisation then), so it is the same whether the profile passed is from before or after the
    increase was applied; the new limit changes what may be spent, never what is owed.
    """
    params = load_policy_parameters()
    advice = params.budget
    unit = params.rounding_unit
    limit = decision.new_limit
    ceiling = int(limit * advice.target_utilisation // unit) * unit
    balance = balance_owed(applicant, decision)
    headroom = max(0, ceiling - balance)
    target_pct = int(round(advice.target_utilisation * 100))
    days = advice.pay_days_before_due

    lines_en = [f"Your limit is {limit} yuan. Keep your monthly spending under {ceiling} yuan "
                f"({target_pct}% of the limit): staying under {target_pct}% is good for your credit."]
    lines_zh = [f"您的额度为 {limit} 元。建议每月消费不超过 {ceiling} 元（额度的 {target_pct}%），"
                f"使用率保持在 {target_pct}% 以下有助于维护信用。"]
    if balance > ceiling:
        lines_en.append(f"You owe {balance} yuan now, which is above that; paying it down to {ceiling} "
                        "yuan first is the best next step.")
        lines_zh.append(f"您目前欠款 {balance} 元，已超过该金额；建议先还到 {ceiling} 元以下。")
    else:
        lines_en.append(f"You owe {balance} yuan now, so that leaves {headroom} yuan to spend this month.")
        lines_zh.append(f"您目前欠款 {balance} 元，本月还可消费约 {headroom} 元。")
    lines_en.append(f"Pay the full statement balance {days} days before the due date (or set up automatic "
                    "repayment) so that a late payment never pauses future increases.")
    lines_zh.append(f"请在还款日前 {days} 天全额还款（或开通自动还款），避免逾期影响以后的提额。")
    if decision.increase > 0:
        lines_en.append(f"The extra {decision.increase} yuan is a safety margin, not a spending target.")
        lines_zh.append(f"新增的 {decision.increase} 元额度是应急余量，不是消费目标。")
    return MonthlyBudget(new_limit=limit, target_utilisation=advice.target_utilisation, monthly_spend_ceiling=ceiling,
                         current_balance_estimate=balance, headroom=headroom, pay_days_before_due=days,
                         lines_zh=lines_zh, lines_en=lines_en, lang="zh" if lang == "zh" else "en")


def balance_owed(applicant: ApplicantProfile, decision: LimitDecision) -> int:
    """Yuan owed when the decision was made (its inputs), else the profile's balance now."""
    before = (decision.inputs or {}).get("applicant") or {}
    limit_then = before.get("current_limit", decision.current_limit)
    if isinstance(before.get("utilisation"), (int, float)) and isinstance(limit_then, int):
        return int(round(float(before["utilisation"]) * limit_then))
    return applicant.balance_owed
