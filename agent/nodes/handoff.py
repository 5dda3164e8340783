"""handoff: a person takes it from here. Pauses the graph with `interrupt` until staff answer through
`Command(resume={"approve": bool, "note": ..., "staff": ...})` (manual review) or hand the conversation back."""
from __future__ import annotations

from langgraph.runtime import Runtime
from langgraph.types import interrupt

from credlift.agent.context import AgentContext, services_of
from credlift.agent.nodes.support import assistant, language
from credlift.agent.state import AgentState, ReviewOutcome
from credlift.prompts import reply as template


def handoff(state: AgentState, runtime: Runtime[AgentContext]) -> dict:
    services = services_of(runtime)
    kind = "review" if state.get("awaiting") == "review" else "human"
    answer = interrupt({"kind": kind, "case_id": state["case_id"], "upload_id": state.get("decided_upload_id", ""),
                        "decision_id": state.get("decision_id", "")})
    answer = answer if isinstance(answer, dict) else {}
    outcome = ReviewOutcome(kind=kind, approve=bool(answer.get("approve")), note=str(answer.get("note", "")),
                            staff=str(answer.get("staff", "")))
    update: dict = {"review": outcome, "awaiting": "user", "handoff": False, "nodes_run": ["handoff"]}
    if kind == "human":
        update["messages"] = [assistant(template("back_to_bot", language(state)))]
    return update
