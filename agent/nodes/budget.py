"""budget: after an increase, offer a monthly budget for the new limit (the budget tool proposes it)."""
from __future__ import annotations

from langgraph.runtime import Runtime

from credlift.agent.context import AgentContext, services_of
from credlift.agent.nodes.support import assistant, language
from credlift.agent.responders import templates
from credlift.agent.state import AgentState


def budget(state: AgentState, runtime: Runtime[AgentContext]) -> dict:
    services = services_of(runtime)
    lang = language(state)
    decision = state.get("decision")
    proposal = None
    if decision is not None and decision.kind == "approve" and decision.increase > 0:
        from credlift.tools.budget import propose_budget

        proposal = propose_budget(services.accounts.get(state["account_id"]), decision, lang)
    reply = templates.budget_reply(proposal, lang)
    return {"messages": [assistant(reply.text)], "budget": proposal, "retrieved": list(reply.retrieved),
            "budget_offered_for": state.get("decision_id", ""), "nodes_run": ["budget"]}
