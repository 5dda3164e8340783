"""validate: formats, checksums, internal consistency and the holder's name against the account."""
from __future__ import annotations

from langgraph.runtime import Runtime

from credlift.agent.context import AgentContext, services_of
from credlift.agent.nodes.support import failed, readable, record
from credlift.agent.state import AgentState


def validate(state: AgentState, runtime: Runtime[AgentContext]) -> dict:
    from credlift.tools.extraction.validators import validate_credential

    services = services_of(runtime)
    applicant = services.accounts.get(state["account_id"])
    results = {}
    for result in readable(state):
        if result.credential is None:
            continue
        try:
            report = validate_credential(result.credential, applicant=applicant)
        except Exception:
            results[result.upload_id] = failed("validate", result, state)
            record(services, state, results[result.upload_id])
            continue
        updated = result.model_copy(update={"validation": report})
        results[result.upload_id] = updated
        record(services, state, updated)
        services.cases.audit("agent", "credential_validated", state["case_id"],
                             f"{result.sha256[:12]} ok={report.ok} errors={','.join(report.error_codes)} "
                             f"registry={report.registry_status}", entry_id=f"validate:{result.upload_id}")
    return {"results": results, "nodes_run": ["validate"]}
