"""authenticate: is it real? Forensics on the image, given the record read before (its certificate number) and
the account, so that a number or an image another account already used is found."""
from __future__ import annotations

from langgraph.runtime import Runtime

from credlift.agent.context import AgentContext, services_of
from credlift.agent.nodes.support import StepFinding, readable, ref_of, run_step
from credlift.agent.state import AgentState, UploadResult


def authenticate(state: AgentState, runtime: Runtime[AgentContext]) -> dict:
    from credlift.tools import pipeline

    services = services_of(runtime)

    def analyse(result: UploadResult) -> StepFinding:
        reading = pipeline.Reading(lines=result.ocr_lines, credential=result.credential)
        report = services.analysis.authenticate(ref_of(state, result.upload_id), reading,  # here or on Ray
                                                account_id=state["account_id"], data_dir=services.settings.data_dir,
                                                overlay_dir=services.overlay_dir)
        skipped = f" skipped={','.join(report.skipped)}" if report.skipped else ""  # the cascade's, in the case log
        return ({"authenticity": report}, "authenticity_checked",
                f"verdict={report.verdict} score={report.score:.3f} drivers={','.join(report.drivers)}{skipped}")

    return run_step("authenticate", services, state, readable(state), analyse)
