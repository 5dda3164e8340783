"""extract (the pipeline's read stage): what does it say? OCR once, classify, parse: the record (or a VLM's)."""
from __future__ import annotations

from langgraph.runtime import Runtime

from credlift.agent.context import AgentContext, services_of
from credlift.agent.nodes.support import StepFinding, readable, ref_of, run_step
from credlift.agent.state import AgentState, UploadResult
from credlift.agent.uploads import open_upload


def extract(state: AgentState, runtime: Runtime[AgentContext]) -> dict:
    from credlift.tools import pipeline

    def analyse(result: UploadResult) -> StepFinding:
        reading = pipeline.extract(open_upload(ref_of(state, result.upload_id)))
        credential = reading.credential
        return ({"ocr_lines": reading.lines, "credential": credential}, "credential_read",
                f"type={credential.type} backend={credential.backend}")

    return run_step("extract", services_of(runtime), state, readable(state), analyse)
