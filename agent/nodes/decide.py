"""decide: what do we do? The deterministic policy engine decides; this node stores the decision once and applies
an increase to the account once (keyed by decision id and credential), so a re-run after a restart changes nothing."""
from __future__ import annotations

from datetime import date, datetime, timezone

from langgraph.runtime import Runtime

from credlift.agent.context import AgentContext, AgentServices, services_of
from credlift.agent.nodes.support import accepted
from credlift.agent.state import AgentState, ReviewOutcome, UploadResult
from credlift.domain import LimitDecision, ReasonCode
from credlift.errors import StaleLimitError
from credlift.prompts import reply as template

_PREFERENCE = {"approve": 2, "refer": 1, "decline": 0}


def decide(state: AgentState, runtime: Runtime[AgentContext]) -> dict:
    services = services_of(runtime)
    review = state.get("review")
    candidates = accepted(state)
    if review is not None and review.kind == "review":
        candidates = [r for r in candidates if r.upload_id == state.get("decided_upload_id")] or candidates
    best: tuple[str, LimitDecision, UploadResult] | None = None
    for result in candidates:
        decision_id = _decision_id(state, result, review)
        decision = services.cases.decision(decision_id) or services.cases.record_decision(
            decision_id, state["case_id"], _ask_engine(services, state, result, review))
        if best is None or _better(decision, best[1]):
            best = (decision_id, decision, result)
    if best is None:
        return {"nodes_run": ["decide"]}
    decision_id, decision, result = best
    try:
        _apply_once(services, state, decision_id, decision, result)
    except StaleLimitError as stale:  # another process applied a decision to this account meanwhile: decide again
        services.cases.audit("policy-engine", "limit_not_applied", state["case_id"], f"{decision_id}: {stale}",
                             entry_id=f"stale:{decision_id}")
        decision_id = f"{decision_id}:recheck"
        decision = services.cases.decision(decision_id) or services.cases.record_decision(
            decision_id, state["case_id"], _ask_engine(services, state, result, review))
        _apply_once(services, state, decision_id, decision, result)
    services.cases.audit("policy-engine", "decision", state["case_id"],
                         f"{decision_id} kind={decision.kind} increase={decision.increase} "
                         f"reasons={','.join(r.code for r in decision.reason_codes)} policy={decision.policy_version}",
                         entry_id=f"decide:{decision_id}")
    return {"decision": decision, "decision_id": decision_id, "decided_upload_id": result.upload_id,
            "nodes_run": ["decide"]}


def _decision_id(state: AgentState, result: UploadResult, review: ReviewOutcome | None) -> str:
    suffix = f":review-{'approved' if review.approve else 'declined'}" if review and review.kind == "review" else ""
    return f"{state['case_id']}:{result.upload_id}{suffix}"


def _better(candidate: LimitDecision, incumbent: LimitDecision) -> bool:
    return (_PREFERENCE[candidate.kind], candidate.increase) > (_PREFERENCE[incumbent.kind], incumbent.increase)


def _ask_engine(services: AgentServices, state: AgentState, result: UploadResult,
                review: ReviewOutcome | None) -> LimitDecision:
    from credlift.tools import pipeline

    applicant = services.accounts.get(state["account_id"])
    cleared = review is not None and review.kind == "review" and review.approve
    decision = pipeline.decide(applicant, result.credential, result.validation, result.authenticity, result.risk_score,
                               assessment=result.assessment, review_cleared=cleared)
    if review is not None and review.kind == "review" and not review.approve:
        return _declined_by_review(decision, review, state.get("language") or "zh")
    return decision


def _declined_by_review(referred: LimitDecision, review: ReviewOutcome, lang: str) -> LimitDecision:
    """A person declined the document at review: the referral becomes a decline, nothing else changes."""
    staff_reason = ReasonCode(code="REVIEW_DECLINED", text_zh=template("review_declined_reason", "zh"),
                              text_en=template("review_declined_reason", "en"), clause_ids=["REV-MANUAL", "REV-APPEAL"])
    inputs = {**referred.inputs, "manual_review": {"approve": False, "staff": review.staff, "note": review.note}}
    return referred.model_copy(update={
        "kind": "decline", "increase": 0, "new_limit": referred.current_limit, "inputs": inputs,
        "reason_codes": [staff_reason, *referred.reason_codes],
        "clause_ids": list(dict.fromkeys([*referred.clause_ids, "REV-MANUAL", "REV-APPEAL"])),
        "decided_at": datetime.now(timezone.utc)})


def credential_key(result: UploadResult) -> str:
    """The key CAP-ONCE counts (the engine's own)."""
    from credlift.tools import limits

    return limits.credential_key(result.credential)


def _apply_once(services: AgentServices, state: AgentState, decision_id: str, decision: LimitDecision,
                result: UploadResult) -> None:
    if decision.kind != "approve" or decision.increase <= 0 or services.cases.is_applied(decision_id):
        return
    key = credential_key(result)
    profile = services.accounts.get(state["account_id"])
    if key not in profile.counted_credentials:
        services.accounts.record_increase(state["account_id"], decision.new_limit, key, date.today(),
                                          from_limit=decision.current_limit)
    services.cases.mark_applied(decision_id)
    services.cases.audit("agent", "limit_updated", state["case_id"],
                         f"{decision_id} {decision.current_limit} -> {decision.new_limit}",
                         entry_id=f"apply:{decision_id}")
