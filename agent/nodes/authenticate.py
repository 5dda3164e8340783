"""authenticate: is it real? OCR runs once here and its lines are kept for extraction."""
from __future__ import annotations

from langgraph.runtime import Runtime

from credlift.agent.context import AgentContext, services_of
from credlift.agent.nodes.support import failed, readable, record, ref_of
from credlift.agent.state import AgentState
from credlift.agent.uploads import open_upload


def authenticate(state: AgentState, runtime: Runtime[AgentContext]) -> dict:
    from credlift.tools.extraction.ocr import run_ocr
    from credlift.tools.forensics import assess_authenticity

    services = services_of(runtime)
    results = {}
    for result in readable(state):
        try:
            upload = open_upload(ref_of(state, result.upload_id))
            lines = run_ocr(upload.rgb)
            report = assess_authenticity(upload, ocr_lines=lines, account_id=state["account_id"],
                                         data_dir=services.settings.data_dir, overlay_dir=services.overlay_dir)
        except Exception:
            results[result.upload_id] = failed("authenticate", result, state)
            record(services, state, results[result.upload_id])
            continue
        updated = result.model_copy(update={"ocr_lines": lines, "authenticity": report})
        results[result.upload_id] = updated
        record(services, state, updated)
        services.cases.audit("agent", "authenticity_checked", state["case_id"],
                             f"{result.sha256[:12]} verdict={report.verdict} score={report.score:.3f} "
                             f"drivers={','.join(report.drivers)}", entry_id=f"authenticate:{result.upload_id}")
    return {"results": results, "nodes_run": ["authenticate"]}
