"""explain: tell the person what happened to their upload, from the decision record and retrieved clauses."""
from __future__ import annotations

import re

from langgraph.runtime import Runtime

from credlift.agent.context import AgentContext, services_of
from credlift.agent.nodes.support import assistant, batch_results, language
from credlift.agent.responders import templates
from credlift.agent.responders.base import ConversationView, Reply
from credlift.agent.state import AgentState
from credlift.domain.credential import CREDENTIAL_TYPES
from credlift.prompts import refusal
from credlift.prompts import reply as template

CJK = re.compile(r"[\u4e00-\u9fff]")


MIN_READABLE_LINES = 3


def review_outcome(state: AgentState) -> str:
    review = state.get("review")
    if review is None or review.kind != "review" or ":review-" not in (state.get("decision_id") or ""):
        return ""
    return "approved" if review.approve else "declined"


def explain(state: AgentState, runtime: Runtime[AgentContext]) -> dict:
    services = services_of(runtime)
    lang = language(state)
    batch = state.get("batch") or []
    decision = state.get("decision") if state.get("decided_upload_id") in batch else None
    replies: list[Reply] = [_file_problem(result, lang) for result in batch_results(state)
                            if result.upload_id != state.get("decided_upload_id")]
    replies = [r for r in replies if r is not None]
    if decision is not None:
        decided = (state.get("results") or {}).get(state["decided_upload_id"])
        if decision.kind != "approve" and decided and decided.validation and \
                "NAME_MISMATCH" in decided.validation.error_codes and not templates.authenticity_driven(decision):
            replies.append(templates.fixed("name_mismatch", lang))
        view = ConversationView(text="", language=lang, decision=decision, review_outcome=review_outcome(state),
                                account_id=state["account_id"])
        replies.append(services.responder.explain(view))
    text = "\n\n".join(r.text for r in replies if r.text)
    retrieved = [c for r in replies for c in r.retrieved]
    awaiting = "review" if decision is not None and decision.kind == "refer" else "user"
    return {"messages": [assistant(text)] if text else [], "retrieved": retrieved, "awaiting": awaiting,
            "nodes_run": ["explain"]}


def _file_problem(result, lang: str) -> Reply | None:
    if result.failed_step:
        return templates.fixed("processing_error", lang)
    if result.error:
        # a refusal is said in the reply's language; another tool's English sentence becomes a general one in zh
        if result.refusal:
            reason = refusal(result.refusal["key"], lang, **result.refusal.get("values", {}))
        else:
            reason = result.error if lang == "en" or CJK.search(result.error) else template("file_error_reason", lang)
        return templates.fixed("file_error", lang, reason=reason)
    if result.authenticity is not None and result.authenticity.verdict == "unreadable":
        return templates.fixed("unreadable", lang)
    if result.credential is None or result.credential.type not in CREDENTIAL_TYPES:
        if not result.ocr_lines:  # no text anywhere (a landscape, a selfie): not a certificate, not a blur
            return templates.fixed("not_a_certificate", lang)
        readable_lines = [line for line in result.ocr_lines if line.confidence >= 0.6 and len(line.text.strip()) >= 2]
        # Almost no text read: a blurred certificate is as likely as a wrong document.
        return templates.fixed("nothing_read" if len(readable_lines) < MIN_READABLE_LINES else "wrong_document", lang)
    return None
