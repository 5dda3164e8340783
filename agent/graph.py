"""The conversation, as a flow chart.

    upload  -> intake -> extract -> authenticate -> validate -> assess -> decide -> explain -> (budget | handoff)
    message -> converse -> (handoff | budget)
    handoff (a person: manual review or a human on request) -> decide again after a review, else the end

The upload's stages are tools/pipeline.STAGES, in that order (extract reads the record first, so authenticate
gets its certificate number and the account). Each node is a thin adapter around a pipeline stage or a tool
(agent/nodes/); routing functions are named after the question they
answer (agent/routing.py). `graph` at the bottom is what langgraph.json exposes; the app builds its own with a
durable checkpointer through `build_graph`.
"""
from __future__ import annotations

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph

from credlift.agent.context import AgentContext, AgentServices, use_default_services
from credlift.agent.nodes.assess import assess
from credlift.agent.nodes.authenticate import authenticate
from credlift.agent.nodes.budget import budget
from credlift.agent.nodes.converse import converse
from credlift.agent.nodes.decide import decide
from credlift.agent.nodes.explain import explain
from credlift.agent.nodes.extract import extract
from credlift.agent.nodes.handoff import handoff
from credlift.agent.nodes.intake import intake
from credlift.agent.nodes.validate import validate
from credlift.agent.routing import (how_did_the_handoff_end, is_it_a_credential_we_accept, is_the_photo_readable,
                                    is_there_a_file_to_check, what_comes_after_the_explanation,
                                    what_did_the_person_send, what_does_the_person_need)
from credlift.agent.state import AgentState
from credlift.tools.pipeline import STAGES

NODE_NAMES = (*STAGES, "explain", "converse", "handoff", "budget")


def build_graph(checkpointer: BaseCheckpointSaver | None = None, services: AgentServices | None = None):
    """The compiled conversation. `services` become the default for runs that pass no `context=`."""
    if services is not None:
        use_default_services(services)
    flow = StateGraph(AgentState, context_schema=AgentContext)

    stage_nodes = {"intake": intake, "extract": extract, "authenticate": authenticate, "validate": validate,
                   "assess": assess, "decide": decide}
    for stage in STAGES:
        flow.add_node(stage, stage_nodes[stage])
    flow.add_node("explain", explain)
    flow.add_node("converse", converse)
    flow.add_node("handoff", handoff)
    flow.add_node("budget", budget)

    flow.add_conditional_edges(START, what_did_the_person_send)
    flow.add_conditional_edges("intake", is_there_a_file_to_check)
    flow.add_edge("extract", "authenticate")
    flow.add_conditional_edges("authenticate", is_the_photo_readable)
    flow.add_conditional_edges("validate", is_it_a_credential_we_accept)
    flow.add_edge("assess", "decide")
    flow.add_edge("decide", "explain")
    flow.add_conditional_edges("explain", what_comes_after_the_explanation)
    flow.add_conditional_edges("converse", what_does_the_person_need)
    flow.add_conditional_edges("handoff", how_did_the_handoff_end)
    flow.add_edge("budget", END)

    return flow.compile(checkpointer=checkpointer)


graph = build_graph()
