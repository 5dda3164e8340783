"""Render one synthetic credential (draw -> capture -> file -> optional forgery) or a whole labelled dataset.

Determinism: every random choice comes from `numpy.random.default_rng([seed, stream])`, one stream per
stage, so the pristine capture is the same whether or not the sample is later tampered with.
"""
from __future__ import annotations

import json
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import piexif
from pydantic import BaseModel, ConfigDict, Field, field_validator

from credlift.domain.credential import CREDENTIAL_TYPES
from credlift.evals.synth.capture import AFTER_CHAINS, CAPTURE_STYLES, after_chain, capture
from credlift.evals.synth.encode import decode, encode, with_software
from credlift.evals.synth.fonts import check_fonts
from credlift.evals.synth.tamper import (
    DEFAULT_TAMPER_MIX, EDITORS, SCREEN_TAMPER_KINDS, TAMPER_KINDS, TAMPERERS, Donor, TamperContext, TamperNotApplicable, TamperOutcome,
)
from credlift.evals.synth.templates import get_template
from credlift.evals.synth.templates.base import SynthSpecError

CaptureStyle = Literal["scan", "photo", "screenshot", "scanner_app", "pdf_render", "app_screenshot", "mixed", "varied"]
AfterChain = Literal["none", "messaging", "recompress", "screenshot", "mixed"]
TamperKind = Literal["none", "copy_move", "splice", "retype", "erase", "metadata", "ai_generated", "screen_retype"]
MIXED_CAPTURE_WEIGHTS = {"scan": 0.35, "photo": 0.45, "screenshot": 0.2}
# `varied`: captures as varied as life (scanner apps and PDF renders too), and most files then travel on
# (a chat app, a re-save off the grid, a screenshot), forged files through the same chain as honest ones
VARIED_CAPTURE_WEIGHTS = {"scan": 0.2, "photo": 0.3, "screenshot": 0.1, "scanner_app": 0.2, "pdf_render": 0.2}
VARIED_AFTER_WEIGHTS = {"none": 0.35, "messaging": 0.35, "recompress": 0.15, "screenshot": 0.15}
SAME_QUALITY_SHARE = 1 / 3   # a third of forgeries keep the original JPEG quality: compression alone cannot tell

# one random stream per stage
_FIELDS, _DRAW, _CAPTURE, _TAMPER, _STYLE, _DONOR, _ENCODE, _AFTER = range(1, 9)


class SynthSpec(BaseModel):
    """What to draw: a credential type, a seed, how it was captured, whether and how it was forged."""
    model_config = ConfigDict(extra="forbid")

    type: str = Field(description="a registered credential type that has a template (templates/<type>.py)")
    seed: int = Field(default=0, ge=0)
    capture: CaptureStyle = "scan"
    tamper: TamperKind = "none"
    fields: dict[str, Any] = Field(default_factory=dict, description="ground-truth overrides, drawn as given")
    same_quality: bool | None = Field(default=None, description="forgery saved at the pristine JPEG quality; None: 1 in 3")
    after: AfterChain | None = Field(default=None, description="what happened to the file afterwards (forged and "
                                     "honest alike); None: drawn when capture is varied, else none")

    @field_validator("type")
    @classmethod
    def _has_template(cls, value: str) -> str:
        from credlift.evals.synth.templates import TEMPLATES

        if value not in TEMPLATES:
            raise ValueError(f"unknown credential type {value!r} (known: {', '.join(TEMPLATES)})")
        return value


@dataclass
class SynthSample:
    image_bytes: bytes
    extension: str               # jpg | png
    label: dict[str, Any]        # the labels.jsonl row (file named <type>_<seed>.<ext> unless a dataset renames it)
    pristine_bytes: bytes        # the same capture before tampering (equal to image_bytes when not tampered)
    pristine_extension: str


def _rng(seed: int, stream: int) -> np.random.Generator:
    return np.random.default_rng([seed, stream])


def _extension(fmt: str) -> str:
    return "jpg" if fmt == "jpeg" else "png"


def _choose_style(spec: SynthSpec) -> str:
    native = get_template(spec.type).native_capture
    if native:  # an app's page is captured by the phone that shows it, whatever the request
        return native
    if spec.capture not in ("mixed", "varied"):
        return spec.capture
    weights = MIXED_CAPTURE_WEIGHTS if spec.capture == "mixed" else VARIED_CAPTURE_WEIGHTS
    return str(_rng(spec.seed, _STYLE).choice(list(weights), p=list(weights.values())))


def _choose_after(spec: SynthSpec) -> str:
    chosen = spec.after if spec.after is not None else ("mixed" if spec.capture == "varied" else "none")
    if chosen != "mixed":
        return chosen
    return str(_rng(spec.seed, _AFTER).choice(list(VARIED_AFTER_WEIGHTS), p=list(VARIED_AFTER_WEIGHTS.values())))


def _travel(data: bytes, fmt: str, chain: str, seed: int) -> tuple[bytes, str, int | None, object]:
    """The file `data` sent on through `chain` (the same draws for a given seed: a forgery and its untouched
    page leave through the same final save). Returns (bytes, format, quality, the chain's record)."""
    exif = None
    if fmt == "jpeg":
        try:
            exif = piexif.load(data)
        except Exception:  # no EXIF block
            exif = None
    chained = after_chain(decode(data), chain, _rng(seed, _AFTER + 100), exif)
    out = encode(chained.rgb, chained.format, chained.jpeg_quality, chained.exif if chained.format == "jpeg" else None)
    return out, chained.format, chained.jpeg_quality, chained


def _donor(spec: SynthSpec, style: str) -> Donor:
    """Another certificate of the same type, captured the same way (deterministic for the spec's seed)."""
    seed = int(np.random.SeedSequence([spec.seed, _DONOR]).generate_state(1)[0])
    template = get_template(spec.type)
    fields = template.sample_fields(_rng(seed, _FIELDS), {})
    document = template.draw(fields, _rng(seed, _DRAW))
    captured = capture(document, style, _rng(seed, _CAPTURE))
    data = encode(captured.rgb, captured.format, captured.jpeg_quality)
    return Donor(decode(data), captured, document, fields)


def _other_quality(fmt: str, quality: int | None, rng: np.random.Generator) -> tuple[str, int]:
    """The forger's export: another JPEG quality (at least 5 apart), or a JPEG where the original was a PNG."""
    if fmt == "jpeg" and quality is not None:
        choices = [q for q in range(60, 99) if abs(q - quality) >= 5]
        return "jpeg", int(rng.choice(choices))
    return "jpeg", int(rng.integers(75, 96))


def keeps_pristine_quality(rng: np.random.Generator) -> bool:
    """Whether the forger saves at the pristine quality (a third of the time): the first draw of the encode stream."""
    return bool(rng.random() < SAME_QUALITY_SHARE)


def _forger_exif(original: dict | None, rng: np.random.Generator) -> dict | None:
    """Editors differ: half keep the camera EXIF untouched, some strip it, some write their name."""
    roll = rng.random()
    if roll < 0.5:
        return original
    if roll < 0.8:
        return None
    exif = {k: (dict(v) if isinstance(v, dict) else v) for k, v in (original or {"0th": {}, "Exif": {}, "GPS": {}, "1st": {}, "thumbnail": None}).items()}
    exif["0th"][piexif.ImageIFD.Software] = str(rng.choice(EDITORS)).encode()
    return exif


def render_credential(spec: SynthSpec) -> SynthSample:
    """One credential image and its label. Raises SynthSpecError for impossible requests. With an after-chain
    the forger's export (or the honest file) travels on through it; a metadata-only edit is made last, on the
    file as it arrived (a chat app would have dropped it), so it takes no after-chain."""
    sample = _render_captured(spec)
    chain = _choose_after(spec)
    if spec.tamper == "metadata":
        chain = "none"
    sample.label["after"] = chain
    if chain == "none":
        return sample
    label = sample.label
    pristine, p_fmt, p_quality, record = _travel(sample.pristine_bytes, label["pristine_format"], chain, spec.seed)
    if label["tampered"]:
        data, fmt, quality, record = _travel(sample.image_bytes, label["format"], chain, spec.seed)
    else:
        data, fmt, quality = pristine, p_fmt, p_quality
    height, width = record.rgb.shape[:2]
    label.update({
        "file": f"{spec.type}_{spec.seed}.{_extension(fmt)}", "format": fmt, "jpeg_quality": quality,
        "pristine_format": p_fmt, "pristine_jpeg_quality": p_quality, "width": width, "height": height,
        "after_steps": record.steps, "same_quality_as_pristine": True,
        "field_boxes": {name: list(record.map_box(tuple(box))) for name, box in label["field_boxes"].items()},
        "tamper_boxes": [list(record.map_box(tuple(box))) for box in label["tamper_boxes"]],
    })
    return SynthSample(data, _extension(fmt), label, pristine, _extension(p_fmt))


def _render_captured(spec: SynthSpec) -> SynthSample:
    """The credential as captured (and forged), before any after-chain."""
    template = get_template(spec.type)
    fields = template.sample_fields(_rng(spec.seed, _FIELDS), spec.fields)
    document = template.draw(fields, _rng(spec.seed, _DRAW))
    style = _choose_style(spec)
    captured = capture(document, style, _rng(spec.seed, _CAPTURE))
    pristine = encode(captured.rgb, captured.format, captured.jpeg_quality, captured.exif, captured.png_text)
    height, width = captured.rgb.shape[:2]
    field_boxes = {name: list(captured.map_box(document.runs_of(name)[0].box)) for name in fields
                   if document.runs_of(name)}
    label: dict[str, Any] = {
        "file": f"{spec.type}_{spec.seed}.{_extension(captured.format)}", "type": spec.type, "fields": fields,
        "tampered": False, "tamper_kind": None, "tamper_boxes": [], "tampered_fields": {}, "capture": style,
        "jpeg_quality": captured.jpeg_quality, "format": captured.format, "seed": spec.seed,
        "same_quality_as_pristine": True, "pristine_format": captured.format,
        "pristine_jpeg_quality": captured.jpeg_quality, "width": width, "height": height, "field_boxes": field_boxes,
    }
    if spec.tamper == "none":
        return SynthSample(pristine, _extension(captured.format), label, pristine, _extension(captured.format))

    encode_rng = _rng(spec.seed, _ENCODE)
    drawn_same = keeps_pristine_quality(encode_rng)
    same = spec.same_quality if spec.same_quality is not None else drawn_same
    context = TamperContext(decode(pristine), captured, document, template, fields, _rng(spec.seed, _TAMPER),
                            lambda: _donor(spec, style))
    try:
        outcome: TamperOutcome = TAMPERERS[spec.tamper](context)
    except TamperNotApplicable as error:
        raise SynthSpecError(f"{spec.tamper} cannot be applied to this {spec.type} document ({error}).") from None

    if outcome.output_format == "png":                       # generator output: a fresh PNG, no camera EXIF
        fmt, quality = "png", None
        data = encode(outcome.image, "png", png_text=outcome.png_text)
    elif outcome.keep_pixels and same:                       # metadata-only: the very same compressed pixels
        fmt, quality = captured.format, captured.jpeg_quality
        data = with_software(pristine, fmt, outcome.software or EDITORS[0])
    else:
        fmt, quality = (captured.format, captured.jpeg_quality) if same else _other_quality(
            captured.format, captured.jpeg_quality, encode_rng)
        if outcome.software:
            exif = _forger_exif(captured.exif, encode_rng) or {"0th": {}, "Exif": {}, "GPS": {}, "1st": {}, "thumbnail": None}
            exif["0th"] = {**exif["0th"], piexif.ImageIFD.Software: outcome.software.encode()}
        else:
            exif = _forger_exif(captured.exif, encode_rng)
        png_text = {"Software": outcome.software} if outcome.software and fmt == "png" else {}
        data = encode(outcome.image, fmt, quality, exif if fmt == "jpeg" else None, png_text)

    label.update({
        "file": f"{spec.type}_{spec.seed}.{_extension(fmt)}", "tampered": True, "tamper_kind": spec.tamper,
        "tamper_boxes": [list(map(int, box)) for box in outcome.boxes], "tampered_fields": outcome.tampered_fields,
        "jpeg_quality": quality, "format": fmt,
        "same_quality_as_pristine": fmt == captured.format and quality == captured.jpeg_quality,
    })
    return SynthSample(data, _extension(fmt), label, pristine, _extension(captured.format))


# ---------------------------------------------------------------------- datasets

def _validate(n: int, types: list[str] | None, capture_style: str, tamper_rate: float,
              tamper_kinds: list[str] | None) -> tuple[list[str], list[str]]:
    if not isinstance(n, int) or n <= 0:
        raise SynthSpecError(f"n must be a positive number of images, not {n}.")
    # by default the certificate types: an app's page (a screenshot template) is asked for by name
    chosen = list(types) if types else [t for t in CREDENTIAL_TYPES if not _is_screen(t)]
    unknown = [t for t in chosen if t not in CREDENTIAL_TYPES]
    if unknown:
        raise SynthSpecError(f"unknown credential type {', '.join(unknown)} (known: {', '.join(CREDENTIAL_TYPES)}).")
    if capture_style not in (*CAPTURE_STYLES, "mixed", "varied"):
        raise SynthSpecError(f"unknown capture {capture_style!r} (known: {', '.join(CAPTURE_STYLES)}, mixed, varied).")
    if not 0.0 <= tamper_rate <= 1.0:
        raise SynthSpecError(f"tamper rate must be between 0 and 1, not {tamper_rate}.")
    kinds = list(tamper_kinds) if tamper_kinds else list(DEFAULT_TAMPER_MIX)
    bad = [k for k in kinds if k not in TAMPER_KINDS + SCREEN_TAMPER_KINDS]
    if bad:
        raise SynthSpecError(f"unknown tamper kind {', '.join(bad)} (known: "
                             f"{', '.join(TAMPER_KINDS + SCREEN_TAMPER_KINDS)}).")
    return chosen, kinds


def _is_screen(credential_type: str) -> bool:
    from credlift.evals.synth.templates import TEMPLATES

    template = TEMPLATES.get(credential_type)
    return template is not None and template.native_capture is not None


def plan_dataset(n: int, seed: int, types: list[str], capture_style: str, tamper_rate: float,
                 kinds: list[str], fields_by_type: dict[str, dict] | None = None) -> list[tuple[SynthSpec, list[str]]]:
    """The spec of every image (and the fallback kinds if its forgery does not fit the document). `fields_by_type`:
    fields printed on every certificate of that type (an account holder's name and ID number)."""
    plan = []
    for index in range(n):
        rng = np.random.default_rng([seed, index, 99])
        sample_seed = int(np.random.SeedSequence([seed, index]).generate_state(1)[0])
        kind = str(rng.choice(kinds)) if rng.random() < tamper_rate else "none"
        style = capture_style if capture_style != "mixed" else str(
            rng.choice(list(MIXED_CAPTURE_WEIGHTS), p=list(MIXED_CAPTURE_WEIGHTS.values())))
        credential_type = str(rng.choice(types))
        after = None
        if capture_style == "varied":  # drawn from the plan's own stream, after the draws `mixed` makes
            style = str(rng.choice(list(VARIED_CAPTURE_WEIGHTS), p=list(VARIED_CAPTURE_WEIGHTS.values())))
            after = str(rng.choice(list(VARIED_AFTER_WEIGHTS), p=list(VARIED_AFTER_WEIGHTS.values())))
        spec = SynthSpec(type=credential_type, seed=sample_seed, capture=style, tamper=kind, after=after,
                         fields=dict((fields_by_type or {}).get(credential_type) or {}))
        fallbacks = [k for k in kinds if k != kind] + (["metadata"] if "metadata" not in kinds else [])
        plan.append((spec, fallbacks if kind != "none" else []))
    return plan


def _worker_init() -> None:
    import ctypes

    import cv2

    cv2.setNumThreads(1)  # the pool already uses every core; OpenCV's own threads would only contend
    try:  # keep freed image buffers in the heap: glibc's default mmap/munmap per large array cost ~25% in page faults
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-3, 32 * 1024 * 1024)   # M_MMAP_THRESHOLD
        libc.mallopt(-1, 256 * 1024 * 1024)  # M_TRIM_THRESHOLD
    except (OSError, AttributeError):
        pass


def _render_to_file(job: tuple[int, SynthSpec, list[str], str]) -> dict[str, Any]:
    index, spec, fallbacks, out_dir = job
    for kind in [spec.tamper, *fallbacks]:
        try:
            sample = render_credential(spec.model_copy(update={"tamper": kind}))
            break
        except SynthSpecError:
            if kind == (fallbacks[-1] if fallbacks else spec.tamper):
                raise
    name = f"{index:05d}_{spec.type}.{sample.extension}"
    Path(out_dir, name).write_bytes(sample.image_bytes)
    return dict(sample.label, file=name)


def generate_dataset(out_dir: Path | str, n: int = 200, seed: int = 1, types: list[str] | None = None,
                     capture: str = "mixed", tamper_rate: float = 0.0, tamper_kinds: list[str] | None = None,
                     workers: int | None = None,
                     fields_by_type: dict[str, dict] | None = None) -> list[dict[str, Any]]:
    """Writes n images and labels.jsonl into out_dir; returns the label rows. Same seed, same bytes."""
    chosen, kinds = _validate(n, types, capture, tamper_rate, tamper_kinds)
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".credlift-write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as error:
        raise SynthSpecError(f"cannot write to {out}: {error.strerror or error}.") from None
    check_fonts()
    jobs = [(i, spec, fallbacks, str(out))
            for i, (spec, fallbacks) in enumerate(plan_dataset(n, seed, chosen, capture, tamper_rate, kinds,
                                                               fields_by_type))]
    workers = workers or min(len(jobs), os.cpu_count() or 1)
    if workers <= 1:
        labels = [_render_to_file(job) for job in jobs]
    else:
        # spawn, not fork: callers (pytest, the agent, torch) hold threads, and a forked child can inherit a held lock
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                                 initializer=_worker_init) as pool:
            labels = list(pool.map(_render_to_file, jobs, chunksize=max(1, len(jobs) // (workers * 8))))
    with (out / "labels.jsonl").open("w", encoding="utf-8") as handle:
        for row in labels:
            handle.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
    return labels


def generate_matched_pairs(out_dir: Path | str, pairs: int = 24, seed: int = 1, types: list[str] | None = None,
                           capture: str = "varied", tamper_kinds: list[str] | None = None) -> list[dict[str, Any]]:
    """Quality-matched pairs, the generated counterpart of the real set's: each forgery (a pixel edit, saved by
    the forger at the page's own quality, then sent on through the same after-chain) next to the same page
    untouched through the same final save. Rows carry `variant` (`matched` | `edited_<kind>`), `source`
    (`synth-<seed>`) and `split` (`dev`), the real set's keys, so one report reads both."""
    kinds = list(tamper_kinds or ("copy_move", "splice", "retype", "erase"))
    chosen, kinds = _validate(pairs, types, capture, 1.0, kinds)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    check_fonts()
    rows = []
    for index, (spec, fallbacks) in enumerate(plan_dataset(pairs, seed, chosen, capture, 1.0, kinds)):
        sample = None
        for kind in [spec.tamper, *[k for k in fallbacks if k in kinds]]:
            try:
                sample = render_credential(spec.model_copy(update={"tamper": kind, "same_quality": True}))
                break
            except SynthSpecError:
                continue
        if sample is None:
            continue
        label = sample.label
        common = {"source": f"synth-{seed}", "split": "dev", "seed": spec.seed, "type": spec.type,
                  "capture": label["capture"], "after": label.get("after", "none")}
        honest_name = f"{index:05d}_{spec.type}_matched.{sample.pristine_extension}"
        edited_name = f"{index:05d}_{spec.type}_edited.{sample.extension}"
        (out / honest_name).write_bytes(sample.pristine_bytes)
        (out / edited_name).write_bytes(sample.image_bytes)
        rows.append({**common, "file": honest_name, "variant": "matched", "tamper_kind": "none", "tamper_boxes": [],
                     "format": label["pristine_format"], "jpeg_quality": label["pristine_jpeg_quality"],
                     "same_quality_as_pristine": True})
        rows.append({**common, "file": edited_name, "variant": f"edited_{label['tamper_kind']}",
                     "tamper_kind": label["tamper_kind"], "tamper_boxes": label["tamper_boxes"],
                     "format": label["format"], "jpeg_quality": label["jpeg_quality"],
                     "same_quality_as_pristine": label["same_quality_as_pristine"]})
    with (out / "labels.jsonl").open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
    return rows
