"""extract: what does it say? Typed fields from the OCR lines (or a VLM when configured)."""
from __future__ import annotations

from langgraph.runtime import Runtime

from credlift.agent.context import AgentContext, services_of
from credlift.agent.nodes.support import failed, readable, record, ref_of
from credlift.agent.state import AgentState
from credlift.agent.uploads import open_upload


def extract(state: AgentState, runtime: Runtime[AgentContext]) -> dict:
    from credlift.tools.extraction import extract_credential

    services = services_of(runtime)
    results = {}
    for result in readable(state):
        try:
            upload = open_upload(ref_of(state, result.upload_id))
            credential = extract_credential(upload, ocr_lines=result.ocr_lines or None)
        except Exception:
            results[result.upload_id] = failed("extract", result, state)
            record(services, state, results[result.upload_id])
            continue
        updated = result.model_copy(update={"credential": credential})
        results[result.upload_id] = updated
        record(services, state, updated)
        services.cases.audit("agent", "credential_read", state["case_id"],
                             f"{result.sha256[:12]} type={credential.type} backend={credential.backend}",
                             entry_id=f"extract:{result.upload_id}")
    return {"results": results, "nodes_run": ["extract"]}
