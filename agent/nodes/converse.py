"""converse: questions, small talk, "why this limit?", policy questions, language switches, asking for a person."""
from __future__ import annotations

import logging

from langgraph.runtime import Runtime

from credlift.agent.context import AgentContext, services_of
from credlift.agent.nodes.explain import review_outcome
from credlift.agent.nodes.support import assistant, language
from credlift.agent.responders.base import ConversationView
from credlift.agent.responders.templates import trade_line
from credlift.agent.state import AgentState
from credlift.domain.applicant import mask_name
from credlift.prompts import reply as template

logger = logging.getLogger(__name__)


def converse(state: AgentState, runtime: Runtime[AgentContext]) -> dict:
    services = services_of(runtime)
    incoming = state["incoming"]
    profile = services.accounts.get(state["account_id"])
    if incoming.kind == "start":
        greeting = template("greeting", language(state)) + trade_line(profile.occupation, language(state))
        return {"messages": [assistant(greeting)], "intent": "greeting", "nodes_run": ["converse"]}
    holder = profile.name
    view = ConversationView(text=incoming.text, language=language(state), history=list(state.get("messages") or [])[-12:],
                            decision=state.get("decision"), review_outcome=review_outcome(state),
                            awaiting=state.get("awaiting") or "user", account_id=state["account_id"],
                            applicant_name=mask_name(holder), private_names=[holder], occupation=profile.occupation)
    reply = services.responder.respond(view)
    for note in reply.notes:
        logger.info("reply for case %s adjusted: %s", state.get("case_id"), note)
    if reply.notes or reply.source == "llm":  # which voice answered, and why the model's words were changed or
        # not used, recorded in the case (`credlift eval` counts these: model replies, guard corrections, fallbacks)
        services.cases.audit("agent", "reply_checked", state["case_id"],
                             "; ".join([f"source={reply.source}", *reply.notes])[:500],
                             entry_id=f"reply-check:{incoming.turn_id}")
    update: dict = {"intent": reply.intent, "language": reply.language, "retrieved": list(reply.retrieved),
                    "nodes_run": ["converse"]}
    if reply.text:
        update["messages"] = [assistant(reply.text)]
    if reply.handoff:
        update["handoff"] = True
        update["awaiting"] = "staff"
        services.cases.audit("applicant", "human_requested", state["case_id"], "", entry_id=f"human:{incoming.turn_id}")
    if reply.wants_budget:
        update["intent"] = "budget"
    return update
