"""intake: decode each file safely (tools/pipeline.intake; the original was stored by content hash on arrival);
unusable files get a sentence."""
from __future__ import annotations

from pathlib import Path

from langgraph.runtime import Runtime

from credlift.agent.context import AgentContext, services_of
from credlift.agent.nodes.support import record
from credlift.agent.state import AgentState, UploadResult
from credlift.agent.uploads import open_upload
from credlift.errors import UnsupportedFileError, UserInputError


def intake(state: AgentState, runtime: Runtime[AgentContext]) -> dict:
    services = services_of(runtime)
    incoming = state["incoming"]
    results: dict[str, UploadResult] = {}
    for ref in incoming.uploads:
        result = UploadResult(upload_id=ref.upload_id, filename=ref.filename, sha256=ref.sha256)
        if ref.refused:  # refused before it was stored
            result.error, result.refusal = ref.refused, ref.refusal
            results[ref.upload_id] = result
            record(services, state, result)
            continue
        try:
            open_upload(ref)  # the pipeline's intake stage (the bytes were stored once when they arrived)
        except UserInputError as error:
            result.error = str(error)
            if isinstance(error, UnsupportedFileError):
                result.refusal = {"key": error.key, "values": error.values}
            if ref.path:  # a file that cannot be decoded is not kept
                Path(ref.path).unlink(missing_ok=True)
        results[ref.upload_id] = result
        record(services, state, result)
    services.cases.audit("agent", "upload_received", state["case_id"],
                         f"{len(incoming.uploads)} file(s): " + ", ".join(r.sha256[:12] for r in incoming.uploads),
                         entry_id=f"intake:{incoming.turn_id}")
    batch = [ref.upload_id for ref in incoming.uploads]
    if state.get("awaiting") == "review":  # a correction while in review: decided together with what is in review
        batch = [*(state.get("batch") or []), *batch]
    return {"uploads": list(incoming.uploads), "batch": batch,
            "results": results, "review": None, "nodes_run": ["intake"]}
