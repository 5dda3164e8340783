"""Routing functions, each named after the question it answers."""
from __future__ import annotations

from typing import Literal

from langgraph.graph import END

from credlift.agent.nodes.support import accepted, readable
from credlift.agent.state import AgentState


def what_did_the_person_send(state: AgentState) -> Literal["intake", "converse"]:
    incoming = state.get("incoming")
    return "intake" if incoming is not None and incoming.kind == "upload" else "converse"


def is_there_a_file_to_check(state: AgentState) -> Literal["extract", "explain"]:
    return "extract" if readable(state) else "explain"


def is_the_photo_readable(state: AgentState) -> Literal["validate", "explain"]:
    return "validate" if readable(state) else "explain"


def is_it_a_credential_we_accept(state: AgentState) -> Literal["assess", "explain"]:
    return "assess" if accepted(state) else "explain"


def what_comes_after_the_explanation(state: AgentState) -> Literal["handoff", "budget", "__end__"]:
    decision = state.get("decision")
    if state.get("awaiting") == "review":
        return "handoff"
    if (decision is not None and decision.kind == "approve" and decision.increase > 0
            and state.get("decided_upload_id") in (state.get("batch") or [])
            and state.get("budget_offered_for") != state.get("decision_id")):
        return "budget"
    return END


def what_does_the_person_need(state: AgentState) -> Literal["handoff", "budget", "__end__"]:
    if state.get("awaiting") == "staff":
        return "handoff"
    if state.get("intent") == "budget":
        return "budget"
    return END


def how_did_the_handoff_end(state: AgentState) -> Literal["decide", "__end__"]:
    review = state.get("review")
    return "decide" if review is not None and review.kind == "review" else END
