"""decide: what do we do? The deterministic policy engine decides; this node stores the decision once and applies
an increase to the account once (keyed by decision id and credential), so a re-run after a restart changes nothing."""
from __future__ import annotations

import inspect
from datetime import date

from langgraph.runtime import Runtime

from credlift.agent.context import AgentContext, AgentServices, services_of
from credlift.agent.nodes.support import accepted
from credlift.agent.state import AgentState, ReviewOutcome, UploadResult
from credlift.domain import AuthenticityReport, LimitDecision

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
    from credlift.tools import limits

    applicant = services.accounts.get(state["account_id"])
    authenticity = result.authenticity or AuthenticityReport(verdict="authentic", score=0.0)
    extra = {}
    if review is not None and review.kind == "review":
        if "review" in inspect.signature(limits.decide).parameters:
            extra["review"] = _engine_review(review)
        else:
            authenticity = _reviewed_authenticity(authenticity, review)
    return limits.decide(applicant, result.credential, result.validation, authenticity, result.risk_score,
                         assessment=result.assessment, **extra)


def _engine_review(review: ReviewOutcome):
    """The engine's own review type when it has one, else the outcome as a plain model."""
    from credlift.tools import limits

    review_type = getattr(limits, "ReviewOutcome", None) or getattr(limits, "ManualReview", None)
    if review_type is None:
        return review
    fields = getattr(review_type, "model_fields", {})
    values = {k: v for k, v in review.model_dump().items() if k in fields}
    return review_type(**values)


def _reviewed_authenticity(report: AuthenticityReport, review: ReviewOutcome) -> AuthenticityReport:
    """A person's review outcome replaces the automatic verdict (the engine's input) when it has no review input."""
    if review.approve:
        return report.model_copy(update={"verdict": "authentic", "score": 0.0, "drivers": ["manual_review_approved"]})
    return report.model_copy(update={"verdict": "tampered", "score": 1.0, "drivers": ["manual_review_declined"]})


def credential_key(result: UploadResult) -> str:
    """The key CAP-ONCE counts: the engine's own when it defines one, else type and certificate number."""
    from credlift.tools import limits

    if hasattr(limits, "credential_key"):
        return limits.credential_key(result.credential)
    number = result.credential.field("certificate_number") if result.credential else None
    return f"{result.credential.type}:{number}" if number else f"sha256:{result.sha256}"


def _apply_once(services: AgentServices, state: AgentState, decision_id: str, decision: LimitDecision,
                result: UploadResult) -> None:
    if decision.kind != "approve" or decision.increase <= 0 or services.cases.is_applied(decision_id):
        return
    key = credential_key(result)
    profile = services.accounts.get(state["account_id"])
    if key not in profile.counted_credentials:
        services.accounts.record_increase(state["account_id"], decision.new_limit, key, date.today())
    services.cases.mark_applied(decision_id)
    services.cases.audit("agent", "limit_updated", state["case_id"],
                         f"{decision_id} {decision.current_limit} -> {decision.new_limit}",
                         entry_id=f"apply:{decision_id}")
