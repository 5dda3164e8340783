"""Upload checks that run before the pipeline: how many files, how large, and whether the bytes are an image.

The browser only knows a file's name; a renamed .exe still says .jpg, so the type is read from magic bytes
(tools/intake.sniff_kind, the one sniffer intake uses too).
"""
from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, Field

from credlift.tools.intake import sniff_kind
from credlift.ui.web.i18n import t

_KIND_NAMES_ZH = {"pdf": "PDF 文件", "a Windows program": "Windows 程序", "a Linux program": "Linux 程序",
                  "a ZIP archive": "ZIP 压缩包", "a RAR archive": "RAR 压缩包", "a script": "脚本",
                  "some other kind of file": "其他类型的文件"}


class AcceptedFile(BaseModel):
    filename: str
    content: bytes
    kind: str
    path: str = Field(description="where the web server stored the upload (for showing the photo back)")


class UploadCheck(BaseModel):
    """What the checks let through, and a sentence for each file (or group) they refused."""
    accepted: list[AcceptedFile] = Field(default_factory=list)
    problems: list[str] = Field(default_factory=list)

    def as_service_files(self) -> list[tuple[str, bytes]]:
        return [(f.filename, f.content) for f in self.accepted]


def check_uploads(paths: list[str | Path], lang: str, max_upload_mb: float, max_files: int) -> UploadCheck:
    """Reads only what passes: the count first, then each file's size from disk, then its magic bytes."""
    check = UploadCheck()
    if len(paths) > max_files:
        check.problems.append(t(lang, "too_many_files", limit=max_files, count=len(paths)))
        return check
    for raw_path in paths:
        path = Path(raw_path)
        filename = display_name(path)
        try:
            size = os.path.getsize(path)
            if size == 0:
                check.problems.append(t(lang, "empty_file", filename=filename))
                continue
            if size > max_upload_mb * 1024 * 1024:
                check.problems.append(t(lang, "file_too_large", filename=filename, size_mb=size / 1024 / 1024,
                                        limit_mb=max_upload_mb))
                continue
            with path.open("rb") as handle:
                head = handle.read(32)
                kind = sniff_kind(head)
                if not kind.startswith("image/") and kind != "pdf":  # a PDF's first page is read (intake)
                    check.problems.append(_refusal(lang, filename, kind))
                    continue
                content = head + handle.read()
        except OSError:
            check.problems.append(t(lang, "file_unreadable", filename=filename))
            continue
        check.accepted.append(AcceptedFile(filename=filename, content=content, kind=kind, path=str(path)))
    return check


def _refusal(lang: str, filename: str, kind: str) -> str:
    if kind == "heif":
        return t(lang, "heic_image", filename=filename)
    if kind == "pdf":
        return t(lang, "pdf_file", filename=filename)
    shown = _KIND_NAMES_ZH.get(kind, kind) if lang == "zh" else kind
    return t(lang, "not_an_image", filename=filename, kind=shown)


class NotAnUpload(Exception):
    """A path that does not lie in the web server's upload folder."""


def uploaded_path(path: str | Path) -> Path:
    """The path of a file the browser or API client uploaded; any other server path is refused.

    gr.api hands payloads over as sent, so a caller could otherwise name any file on the server.
    """
    from gradio.utils import get_upload_folder

    resolved = Path(path).resolve()
    if not resolved.is_relative_to(Path(get_upload_folder()).resolve()):
        raise NotAnUpload(str(path))
    return resolved


def display_name(path: Path) -> str:
    """Gradio stores uploads under a hash folder with the original name; keep only the name, shortened."""
    name = path.name
    return name if len(name) <= 60 else name[:28] + "…" + name[-28:]
