"""Uploaded files for the nodes: decoded once per process (an LRU by content hash), re-read from disk after a restart."""
from __future__ import annotations

import hashlib
from pathlib import Path

from credlift.agent.state import UploadRef


def stage_upload(data: bytes, filename: str, data_dir: Path, upload_id: str) -> UploadRef:
    """Keeps the bytes as received, in the one store (tools/intake.store_bytes, by content hash), so a restarted
    process can still analyse them; intake finds them there and does not store them again. A file the intake's
    precheck refuses (size, signature, header budgets) is never written: its ref carries the reason."""
    from credlift.errors import UnsupportedFileError
    from credlift.tools.intake import precheck, store_bytes

    sha256 = hashlib.sha256(data).hexdigest()
    try:
        precheck(data, filename)
    except UnsupportedFileError as refusal:
        return UploadRef(upload_id=upload_id, filename=filename, sha256=sha256, path="", refused=str(refusal),
                         refusal={"key": refusal.key, "values": refusal.values})
    path = store_bytes(data, data_dir, sha256)
    return UploadRef(upload_id=upload_id, filename=filename, sha256=sha256, path=str(path))


def open_upload(ref: UploadRef):
    """The decoded `UploadedImage` (raises UnsupportedFileError with a sentence for people); one cache per process
    with the analysis (tools/analysis.decode_stored)."""
    from credlift.tools.analysis import decode_stored

    return decode_stored(ref.path, ref.filename, ref.sha256)
