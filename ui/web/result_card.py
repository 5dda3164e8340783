"""The applicant's result card, rendered from a LimitDecision: decision, limits, reasons, clauses, what else helps.

Only what the applicant may see: no detector scores, signals, heatmaps or engine inputs.
"""
from __future__ import annotations

from html import escape

from credlift.domain import LimitDecision
from credlift.ui.web.i18n import t

_DECISION_LABEL = {"approve": "decision_approve", "decline": "decision_decline", "refer": "decision_refer"}


def decision_clause_ids(decision: LimitDecision) -> list[str]:
    """Clause ids in the order a reader meets them: the reasons' clauses first, then the rest, no repeats."""
    ordered: list[str] = []
    for reason in decision.reason_codes:
        ordered += reason.clause_ids
    ordered += decision.clause_ids
    return list(dict.fromkeys(ordered))


def render_result_card(decision: LimitDecision | None, lang: str, clause_titles: dict[str, str] | None = None) -> str:
    """HTML for a gr.HTML component; empty string when there is no decision yet."""
    if decision is None:
        return ""
    titles = clause_titles or {}
    money = lambda amount: escape(t(lang, "yuan", amount=int(amount)))  # noqa: E731
    reasons = "".join(f"<li>{escape(reason.text(lang))}</li>" for reason in decision.reason_codes)
    clauses = "".join(
        f"<li><code>{escape(cid)}</code>{' — ' + escape(titles[cid]) if titles.get(cid) else ''}</li>"
        for cid in decision_clause_ids(decision))
    helps = "".join(f"<li>{escape(item.text(lang))}</li>" for item in decision.counterfactuals)
    increase = ""
    if decision.increase > 0:
        increase = _figure(" cl-increase", t(lang, "increase"), "+" + money(decision.increase))
    sections = [
        f'<div class="cl-card cl-{escape(decision.kind)}" data-decision="{escape(decision.kind)}">',
        f'<div class="cl-card-head"><span class="cl-card-title">{escape(t(lang, "card_title"))}</span>'
        f'<span class="cl-badge">{escape(t(lang, _DECISION_LABEL[decision.kind]))}</span></div>',
        '<div class="cl-figures">',
        _figure("", t(lang, "old_limit"), money(decision.current_limit)),
        _figure(" cl-new", t(lang, "new_limit"), money(decision.new_limit)),
        increase,
        "</div>",
    ]
    if reasons:
        sections.append(f'<h4>{escape(t(lang, "why"))}</h4><ul class="cl-reasons">{reasons}</ul>')
    if clauses:
        sections.append(f'<h4>{escape(t(lang, "clauses"))}</h4><ul class="cl-clauses">{clauses}</ul>')
    if helps:
        sections.append(f'<h4>{escape(t(lang, "what_else"))}</h4><ul class="cl-helps">{helps}</ul>')
    sections.append(f'<div class="cl-foot">{escape(t(lang, "policy_version", version=decision.policy_version))}</div>')
    sections.append("</div>")
    return "".join(sections)


def _figure(extra_class: str, label: str, amount_html: str) -> str:
    return f'<div class="cl-figure{extra_class}"><span>{escape(label)}</span><strong>{amount_html}</strong></div>'
