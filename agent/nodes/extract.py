"""extract (the pipeline's read stage): what does it say? OCR once, classify, parse: the record (or a VLM's)."""
from __future__ import annotations

from langgraph.runtime import Runtime

from credlift.agent.context import AgentContext, services_of
from credlift.agent.nodes.support import StepFinding, readable, ref_of, run_step
from credlift.agent.state import AgentState, UploadResult


def extract(state: AgentState, runtime: Runtime[AgentContext]) -> dict:
    services = services_of(runtime)

    def analyse(result: UploadResult) -> StepFinding:
        reading = services.analysis.extract(ref_of(state, result.upload_id))  # here or on Ray (tools/analysis.py)
        credential = reading.credential
        return ({"ocr_lines": reading.lines, "credential": credential}, "credential_read",
                f"type={credential.type} backend={credential.backend}")

    return run_step("extract", services, state, readable(state), analyse)
