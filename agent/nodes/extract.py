"""extract: what does it say? Typed fields from the OCR lines (or a VLM when configured)."""
from __future__ import annotations

from langgraph.runtime import Runtime

from credlift.agent.context import AgentContext, services_of
from credlift.agent.nodes.support import StepFinding, readable, ref_of, run_step
from credlift.agent.state import AgentState, UploadResult
from credlift.agent.uploads import open_upload


def extract(state: AgentState, runtime: Runtime[AgentContext]) -> dict:
    from credlift.tools.extraction import extract_credential

    def analyse(result: UploadResult) -> StepFinding:
        upload = open_upload(ref_of(state, result.upload_id))
        credential = extract_credential(upload, ocr_lines=result.ocr_lines or None)
        return ({"credential": credential}, "credential_read",
                f"type={credential.type} backend={credential.backend}")

    return run_step("extract", services_of(runtime), state, readable(state), analyse)
