"""validate: formats, checksums, internal consistency, the holder's name against the account, the issuer's records."""
from __future__ import annotations

from langgraph.runtime import Runtime

from credlift.agent.context import AgentContext, services_of
from credlift.agent.nodes.support import StepFinding, readable, run_step
from credlift.agent.state import AgentState, UploadResult


def validate(state: AgentState, runtime: Runtime[AgentContext]) -> dict:
    services = services_of(runtime)
    applicant = services.accounts.get(state["account_id"])

    def analyse(result: UploadResult) -> StepFinding:
        report = services.analysis.validate(result.credential, applicant)  # here or on Ray (tools/analysis.py)
        return ({"validation": report}, "credential_validated",
                f"ok={report.ok} errors={','.join(report.error_codes)} registry={report.registry_status}")

    uploads = [result for result in readable(state) if result.credential is not None]
    return run_step("validate", services, state, uploads, analyse)
