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
    """HTML for a gr.HTML component; empty string when there is no decision yet. `clause_titles` is accepted for
    callers that pass it; titles and texts come from the policy corpus (agent/wording.py)."""
    if decision is None:
        return ""
    del clause_titles
    from credlift.agent.wording import applicant_text, cited_clauses

    money = lambda amount: escape(t(lang, "yuan", amount=int(amount)))  # noqa: E731
    reasons = "".join(f"<li>{escape(applicant_text(reason.text(lang), lang))}</li>" for reason in decision.reason_codes)
    # each clause by its title; its text a tap away (never the code)
    clauses = "".join(
        f'<li><details class="cl-clause" data-clause="{escape(cid)}"><summary>{escape(name)}</summary>'
        f"<p>{escape(text)}</p></details></li>"
        for cid, name, text in cited_clauses(" ".join(f"[{c}]" for c in decision_clause_ids(decision)), lang))
    helps = "".join(f"<li>{escape(applicant_text(item.text(lang), lang))}</li>" for item in decision.counterfactuals)
    # the figures say the state truthfully: a new limit only when there is one
    if decision.kind == "approve" and decision.increase > 0:
        figures = [_figure("", t(lang, "old_limit"), money(decision.current_limit)),
                   _figure(" cl-new", t(lang, "new_limit"), money(decision.new_limit)),
                   _figure(" cl-increase", t(lang, "increase"), "+" + money(decision.increase))]
    elif decision.kind == "refer":
        figures = [_figure("", t(lang, "current_limit"), money(decision.current_limit)),
                   _figure(" cl-state", t(lang, "state"), escape(t(lang, "state_in_review")))]
    else:
        figures = [_figure("", t(lang, "current_limit"), money(decision.current_limit)),
                   _figure(" cl-state", t(lang, "state"), escape(t(lang, "state_unchanged")))]
    sections = [
        f'<div class="cl-card cl-{escape(decision.kind)}" data-decision="{escape(decision.kind)}">',
        f'<div class="cl-card-head"><span class="cl-card-title">{escape(t(lang, "card_title"))}</span>'
        f'<span class="cl-badge">{escape(t(lang, _DECISION_LABEL[decision.kind]))}</span></div>',
        '<div class="cl-figures">', *figures, "</div>",
    ]
    if reasons:
        sections.append(f'<h4>{escape(t(lang, "why"))}</h4><ul class="cl-reasons">{reasons}</ul>')
    if clauses:
        sections.append(f'<h4>{escape(t(lang, "clauses"))}</h4><ul class="cl-clauses">{clauses}</ul>')
    if helps:
        sections.append(f'<h4>{escape(t(lang, "what_else"))}</h4><ul class="cl-helps">{helps}</ul>')
    sections.append("</div>")
    return "".join(sections)


def _figure(extra_class: str, label: str, amount_html: str) -> str:
    return f'<div class="cl-figure{extra_class}"><span>{escape(label)}</span><strong>{amount_html}</strong></div>'
