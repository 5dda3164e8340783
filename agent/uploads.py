"""Uploaded files for the nodes: decoded once per process (an LRU by content hash), re-read from disk after a restart."""
from __future__ import annotations

import hashlib
from functools import lru_cache
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


@lru_cache(maxsize=8)
def _decode(path: str, filename: str, sha256: str):
    from credlift.tools import pipeline

    return pipeline.intake(Path(path), filename)


def open_upload(ref: UploadRef):
    """The decoded `UploadedImage` (raises UnsupportedFileError with a sentence for people)."""
    return _decode(ref.path, ref.filename, ref.sha256)
