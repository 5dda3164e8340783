"""Small helpers the nodes share: which uploads are still in play, recording outcomes, saying something."""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime, timezone

from credlift.agent.context import AgentServices
from credlift.agent.contracts import ChatMessage, UploadOutcome
from credlift.agent.state import AgentState, UploadRef, UploadResult
from credlift.domain.credential import CREDENTIAL_TYPES
from credlift.prompts import reply as template

logger = logging.getLogger(__name__)


def batch_results(state: AgentState) -> list[UploadResult]:
    results = state.get("results") or {}
    return [results[uid] for uid in state.get("batch") or [] if uid in results]


def readable(state: AgentState) -> list[UploadResult]:
    """Uploads of this application that decoded and were not found unreadable."""
    return [r for r in batch_results(state)
            if not r.error and not (r.authenticity and r.authenticity.verdict == "unreadable")]


def accepted(state: AgentState) -> list[UploadResult]:
    """Readable uploads that are a credential type the policy accepts, or an unknown credential a person should
    read (the taxonomy's class routes it to review: tools/extraction/generic.py); the policy engine decides both."""
    from credlift.tools.extraction.generic import review_route

    return [r for r in readable(state) if r.credential is not None
            and (r.credential.type in CREDENTIAL_TYPES or review_route(r.credential) is not None)]


def ref_of(state: AgentState, upload_id: str) -> UploadRef:
    for ref in state.get("uploads") or []:
        if ref.upload_id == upload_id:
            return ref
    incoming = state.get("incoming")
    for ref in (incoming.uploads if incoming else []):
        if ref.upload_id == upload_id:
            return ref
    raise KeyError(upload_id)


def record(services: AgentServices, state: AgentState, result: UploadResult) -> None:
    """Staff see every stage's findings as soon as they exist."""
    outcome = UploadOutcome(upload_id=result.upload_id, filename=result.filename, sha256=result.sha256,
                            authenticity=result.authenticity, credential=result.credential,
                            validation=result.validation, error=result.error)
    services.cases.record_upload(state["case_id"], outcome)


def assistant(text: str) -> ChatMessage:
    return ChatMessage(role="assistant", text=text, at=datetime.now(timezone.utc))


def language(state: AgentState) -> str:
    return state.get("language") or "zh"


def failed(step: str, result: UploadResult, state: AgentState) -> UploadResult:
    """A tool failed on this upload: log it for engineers, give the person a sentence, keep the conversation going."""
    logger.exception("%s failed on upload %s of case %s", step, result.upload_id, state.get("case_id"))
    return result.model_copy(update={"error": template("processing_error", language(state)), "failed_step": step})


# what a step found on one upload: the result fields to set, the audit action and its detail
StepFinding = tuple[dict, str, str]


def run_step(step: str, services: AgentServices, state: AgentState, uploads: Iterable[UploadResult],
             analyse: Callable[[UploadResult], StepFinding]) -> dict:
    """Runs one pipeline step on each upload: a tool failure becomes that upload's sentence, and every outcome is
    recorded for staff and audited once (keyed by step and upload, so a resumed run does not repeat it)."""
    results = {}
    for result in uploads:
        try:
            update, action, detail = analyse(result)
        except Exception:
            results[result.upload_id] = failed(step, result, state)
            record(services, state, results[result.upload_id])
            continue
        results[result.upload_id] = updated = result.model_copy(update=update)
        record(services, state, updated)
        services.cases.audit("agent", action, state["case_id"], f"{result.sha256[:12]} {detail}",
                             entry_id=f"{step}:{result.upload_id}")
    return {"results": results, "nodes_run": [step]}
