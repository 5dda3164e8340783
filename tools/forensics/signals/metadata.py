"""Metadata: editing software in EXIF/XMP, generator text in PNG chunks, C2PA manifests declaring generative AI.

Absence of metadata is not evidence (messaging apps strip it); only what is present can raise the score.
"""
from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass, field

from credlift.domain.authenticity import SignalReport
from credlift.tools.forensics.context import AnalysisContext
from credlift.tools.forensics.signals.base import SignalRole  # what this signal is to fusion and the map

EDITORS = (
    "photoshop", "adobe photoshop", "lightroom", "gimp", "paint.net", "pixlr", "affinity photo", "snapseed",
    "picsart", "meitu", "美图", "醒图", "photoscape", "canva", "fotor", "polarr", "facetune", "photopea",
    "illustrator", "acdsee", "corel", "paintshop", "pixelmator", "luminar", "inpixio", "wps图片", "光影魔术手",
    "美图秀秀", "picsart", "photo editor", "remini", "lensa", "faceapp",
)
GENERATORS = (
    "stable diffusion", "stable-diffusion", "midjourney", "dall-e", "dall·e", "dalle", "comfyui", "automatic1111",
    "novelai", "firefly", "imagen", "sdxl", "flux.1", "invokeai", "fooocus", "leonardo.ai", "通义万相", "文心一格",
    "gpt-image", "ideogram", "diffusers",
)
# IPTC digital source types that mean the pixels came (partly) from a generative model.
AI_SOURCE_TYPES = ("trainedalgorithmicmedia", "compositewithtrainedalgorithmicmedia", "algorithmicmedia")
# PNG text keys written by generator front-ends (A1111 "parameters", ComfyUI "prompt"/"workflow").
GENERATOR_PNG_KEYS = ("parameters", "prompt", "workflow", "negative_prompt", "sd-metadata", "dream", "invokeai_metadata")
SOFTWARE_KEYS = ("Software", "ProcessingSoftware", "HostComputer", "ImageDescription", "Artist", "Make", "Model",
                 "UserComment", "XPComment")


@dataclass
class MetadataFindings:
    editor: str | None = None
    generator: str | None = None
    c2pa_present: bool = False
    c2pa_ai: bool = False
    c2pa_edited: bool = False
    evidence: list[str] = field(default_factory=list)


def read_metadata_findings(ctx: AnalysisContext) -> MetadataFindings:
    """Parsed once per upload; the AI-generation signal reuses it."""
    if "metadata" in ctx.memo:
        return ctx.memo["metadata"]
    findings = MetadataFindings()
    upload = ctx.upload
    texts: list[tuple[str, str]] = []
    for key, value in (getattr(upload, "exif", {}) or {}).items():
        texts.append((f"EXIF {key}", _repair(str(value))))
    for key, value in (getattr(upload, "info", {}) or {}).items():
        if isinstance(value, (str, bytes)) and key not in ("icc_profile", "exif"):
            texts.append((f"{getattr(upload, 'format', 'image')} {key}", _repair(_text(value))))
    raw = getattr(upload, "original_bytes", b"") or b""
    xmp = _xmp_packet(raw)
    if xmp:
        texts.append(("XMP", xmp))

    for origin, text in texts:
        low = text.lower()
        key = origin.split(" ", 1)[-1].lower().removeprefix("text:")
        if findings.generator is None:
            if key in GENERATOR_PNG_KEYS and text.strip():
                findings.generator = f"{origin} chunk"
            elif any(source in low.replace(" ", "") for source in AI_SOURCE_TYPES):
                findings.generator = f"{origin} digitalSourceType"
            else:
                hit = next((g for g in GENERATORS if g in low), None)
                if hit:
                    findings.generator = f"{hit} ({origin})"
        if findings.editor is None:
            hit = next((e for e in EDITORS if e in low), None)
            if hit:
                findings.editor = f"{hit} ({origin})"
    _read_c2pa(raw, str(getattr(upload, "format", "")), findings)
    ctx.memo["metadata"] = findings
    return findings


def _repair(text: str) -> str:
    """EXIF ASCII fields often carry UTF-8 (美图秀秀, 醒图) that readers decode as Latin-1; undo that."""
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def _text(value: str | bytes) -> str:
    if isinstance(value, bytes):
        return value[:20000].decode("utf-8", "replace")
    return value[:20000]


def _xmp_packet(raw: bytes) -> str:
    start = raw.find(b"<x:xmpmeta")
    if start < 0:
        start = raw.find(b"<rdf:RDF")
    if start < 0:
        return ""
    end = raw.find(b"</x:xmpmeta>", start)
    end = end + 12 if end > 0 else min(len(raw), start + 65536)
    return raw[start:end].decode("utf-8", "replace")


def _read_c2pa(raw: bytes, image_format: str, findings: MetadataFindings) -> None:
    """A C2PA manifest store, when present: generative-AI source types and edit actions."""
    if b"c2pa" not in raw and b"jumb" not in raw:
        return  # no JUMBF box: skip the native reader (saves time on every ordinary photo)
    try:
        import c2pa

        mime = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "TIFF": "image/tiff"}.get(
            image_format.upper(), "image/jpeg")
        reader = c2pa.Reader.try_create(mime, io.BytesIO(raw))
        if reader is None:
            return
        manifest_json = reader.json()
    except Exception as error:  # a malformed manifest is itself worth noting, not a crash
        findings.c2pa_present = True
        findings.evidence.append(f"unreadable C2PA manifest ({type(error).__name__})")
        return
    findings.c2pa_present = True
    low = manifest_json.lower()
    if any(source in low for source in AI_SOURCE_TYPES):
        findings.c2pa_ai = True
        findings.generator = findings.generator or "C2PA digitalSourceType (generative AI)"
    try:
        store = json.loads(manifest_json)
    except json.JSONDecodeError:
        return
    actions = re.findall(r'"action"\s*:\s*"([^"]+)"', json.dumps(store))
    if any(a in ("c2pa.edited", "c2pa.filtered", "c2pa.color_adjustments", "c2pa.drawing", "c2pa.placed")
           for a in actions):
        findings.c2pa_edited = True
    generators = re.findall(r'"claim_generator"\s*:\s*"([^"]+)"', manifest_json)
    if generators and findings.editor is None and any(e in generators[0].lower() for e in EDITORS):
        findings.editor = f"{generators[0]} (C2PA)"


class MetadataSignal:
    name = "metadata"
    role = SignalRole(features=("score", "editor", "generator"), decisive_at=0.85, fallback=True)

    def analyse(self, ctx: AnalysisContext) -> SignalReport:
        findings = read_metadata_findings(ctx)
        if findings.generator:
            score, summary = 0.98, f"The file's metadata names an image generator: {findings.generator}."
        elif findings.editor:
            score, summary = 0.9, f"The file was saved by editing software: {findings.editor}."
        elif findings.c2pa_edited:
            score, summary = 0.8, "A C2PA manifest records edit actions on this image."
        else:
            score, summary = 0.0, "No editing or generator software in the metadata (absence proves nothing)."
        return SignalReport(
            name=self.name, score=score, summary=summary,
            details={"editor": bool(findings.editor), "generator": bool(findings.generator),
                     "c2pa_present": findings.c2pa_present, "c2pa_ai": findings.c2pa_ai,
                     "c2pa_edited": findings.c2pa_edited,
                     "software": (findings.generator or findings.editor or "")[:120]},
        )
