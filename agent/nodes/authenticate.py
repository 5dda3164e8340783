"""authenticate: is it real? OCR runs once here and its lines are kept for extraction."""
from __future__ import annotations

from langgraph.runtime import Runtime

from credlift.agent.context import AgentContext, services_of
from credlift.agent.nodes.support import StepFinding, readable, ref_of, run_step
from credlift.agent.state import AgentState, UploadResult
from credlift.agent.uploads import open_upload


def authenticate(state: AgentState, runtime: Runtime[AgentContext]) -> dict:
    from credlift.tools.extraction.ocr import run_ocr
    from credlift.tools.forensics import assess_authenticity

    services = services_of(runtime)

    def analyse(result: UploadResult) -> StepFinding:
        upload = open_upload(ref_of(state, result.upload_id))
        lines = run_ocr(upload.rgb)
        report = assess_authenticity(upload, ocr_lines=lines, account_id=state["account_id"],
                                     data_dir=services.settings.data_dir, overlay_dir=services.overlay_dir)
        return ({"ocr_lines": lines, "authenticity": report}, "authenticity_checked",
                f"verdict={report.verdict} score={report.score:.3f} drivers={','.join(report.drivers)}")

    return run_step("authenticate", services, state, readable(state), analyse)
