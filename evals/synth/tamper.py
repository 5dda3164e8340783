"""Forgeries made after capture, as fraudsters make them: one function per kind.

Each function takes the decoded pristine file (what the forger opens in an editor) and returns the edited
pixels, boxes covering every changed pixel (final image coordinates), and the values the forged image shows.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np
from PIL import Image, ImageDraw

from credlift.evals.synth.capture import Capture
from credlift.evals.synth.drawing import Box, Document, TextRun
from credlift.evals.synth.fonts import truetype
from credlift.evals.synth.templates.base import CredentialTemplate

TAMPER_KINDS = ("copy_move", "splice", "retype", "erase", "metadata", "ai_generated")
# forgeries of an app's screenshot only (asked for by name; the certificate sets' mixes stay as they were)
SCREEN_TAMPER_KINDS = ("screen_retype",)
DEFAULT_TAMPER_MIX = ("copy_move", "splice", "retype", "erase", "metadata")
EDITORS = ("Adobe Photoshop 25.0 (Windows)", "Adobe Photoshop CC 2019 (Macintosh)", "GIMP 2.10.36", "美图秀秀",
           "Snapseed 2.0", "PicsArt", "Adobe Photoshop Express", "醒图", "Photopea")


@dataclass
class Donor:
    """Another certificate of the same type, captured the same way: the source of spliced patches."""
    image: np.ndarray
    capture: Capture
    document: Document
    fields: dict[str, Any]


@dataclass
class TamperContext:
    image: np.ndarray                    # the decoded pristine file
    capture: Capture
    document: Document
    template: CredentialTemplate
    fields: dict[str, Any]
    rng: np.random.Generator
    donor: Callable[[], Donor]


@dataclass
class TamperOutcome:
    image: np.ndarray
    boxes: list[Box]
    tampered_fields: dict[str, Any] = field(default_factory=dict)
    software: str | None = None          # an editor named in the metadata
    keep_pixels: bool = False            # metadata-only: pixels untouched
    output_format: str | None = None     # generator output is a PNG
    png_text: dict[str, str] = field(default_factory=dict)


class TamperNotApplicable(RuntimeError):
    """This document offers nothing for this kind of forgery (e.g. no digits of a similar size to copy)."""


# ---------------------------------------------------------------------- helpers

def _mapped(ctx: TamperContext, run: TextRun, pad: int = 0) -> Box:
    return ctx.capture.map_box(run.box, pad)


def _field_run(document: Document, name: str) -> TextRun | None:
    runs = document.runs_of(name)
    return runs[0] if runs else None


def _union(boxes: list[Box]) -> Box:
    x0 = min(b[0] for b in boxes)
    y0 = min(b[1] for b in boxes)
    x1 = max(b[0] + b[2] for b in boxes)
    y1 = max(b[1] + b[3] for b in boxes)
    return (x0, y0, x1 - x0, y1 - y0)


def _clip(box: Box, image: np.ndarray) -> Box:
    h, w = image.shape[:2]
    x0, y0 = max(0, box[0]), max(0, box[1])
    x1, y1 = min(w, box[0] + box[2]), min(h, box[1] + box[3])
    return (x0, y0, max(0, x1 - x0), max(0, y1 - y0))


def _ink_mask(patch: np.ndarray) -> np.ndarray:
    """Pixels darker than the local paper: the strokes of the text in a patch."""
    gray = cv2.cvtColor(patch, cv2.COLOR_RGB2GRAY).astype(np.float32)
    paper = np.percentile(gray, 85)
    mask = (gray < paper - 38).astype(np.uint8) * 255
    return cv2.dilate(mask, np.ones((3, 3), np.uint8), iterations=2)


def _erase(image: np.ndarray, box: Box) -> np.ndarray:
    """Removes the strokes inside `box` by inpainting from the surrounding paper (the forger's healing brush)."""
    x, y, w, h = box
    margin = 6
    X0, Y0 = max(0, x - margin), max(0, y - margin)
    X1, Y1 = min(image.shape[1], x + w + margin), min(image.shape[0], y + h + margin)
    crop = image[Y0:Y1, X0:X1].copy()
    mask = np.zeros(crop.shape[:2], np.uint8)
    inner = _ink_mask(image[y:y + h, x:x + w])
    mask[y - Y0:y - Y0 + h, x - X0:x - X0 + w] = inner
    healed = cv2.inpaint(crop, mask, 4, cv2.INPAINT_TELEA)
    out = image.copy()
    out[y:y + h, x:x + w] = healed[y - Y0:y - Y0 + h, x - X0:x - X0 + w]
    return out


def _ink_colour(patch: np.ndarray) -> np.ndarray:
    gray = cv2.cvtColor(patch, cv2.COLOR_RGB2GRAY)
    dark = patch[gray <= np.percentile(gray, 6)]
    return np.median(dark, axis=0).astype(np.float32) if len(dark) else np.float32([30, 30, 30])


def _paste(image: np.ndarray, patch: np.ndarray, x: int, y: int, feather: float = 1.0) -> Box:
    """Pastes `patch` at (x, y) with softened edges; returns the box that changed."""
    h, w = patch.shape[:2]
    box = _clip((x, y, w, h), image)
    if box[2] == 0 or box[3] == 0:
        raise TamperNotApplicable("patch outside the image")
    px, py = box[0] - x, box[1] - y
    patch = patch[py:py + box[3], px:px + box[2]].astype(np.float32)
    alpha = np.ones(patch.shape[:2], np.float32)
    if feather > 0 and min(patch.shape[:2]) > 6:
        alpha[0, :] = alpha[-1, :] = alpha[:, 0] = alpha[:, -1] = 0.5
    region = image[box[1]:box[1] + box[3], box[0]:box[0] + box[2]].astype(np.float32)
    image[box[1]:box[1] + box[3], box[0]:box[0] + box[2]] = np.clip(
        region * (1 - alpha[..., None]) + patch * alpha[..., None], 0, 255).astype(np.uint8)
    return box


def _near_match_font(run: TextRun, text: str, rng: np.random.Generator) -> tuple[str, str]:
    """What a forger picks: close to the printed face, never exactly it."""
    if text.isascii() and rng.random() < 0.6:
        return ("latin_sans" if run.family != "serif" else "latin_serif", run.weight)
    if rng.random() < 0.5:
        return (run.family, "bold" if run.weight == "regular" else "regular")
    other = {"serif": "sans", "sans": "serif", "mono": "sans"}[run.family]
    return (other, run.weight)


# ---------------------------------------------------------------------- the kinds

def copy_move(ctx: TamperContext) -> TamperOutcome:
    """Copies a digit from elsewhere in the same image over one digit of a score or number."""
    rng = ctx.rng
    image = ctx.image.copy()
    candidates = [f for f in ctx.template.copy_move_fields if _field_run(ctx.document, f) is not None]
    if not candidates:
        raise TamperNotApplicable("no digit field")
    digit_sources = [(run, i, ctx.capture.map_box(box)) for run in ctx.document.runs
                     for i, (ch, box) in enumerate(zip(run.text, run.char_boxes)) if ch.isdigit()]
    for name in rng.permutation(candidates):
        target_run = _field_run(ctx.document, str(name))
        positions = [i for i, ch in enumerate(target_run.text) if ch.isdigit()]
        for i in rng.permutation(positions):
            target = ctx.capture.map_box(target_run.char_boxes[int(i)])
            options = []
            for run, j, source in digit_sources:
                digit = run.text[j]
                if digit == target_run.text[int(i)] or source[3] == 0 or target[3] == 0:
                    continue
                if not 0.8 <= source[3] / target[3] <= 1.25:
                    continue
                new_text = target_run.text[:int(i)] + digit + target_run.text[int(i) + 1:]
                if str(name) == "total_score" and not int(ctx.fields["total_score"]) < int(new_text) <= 710:
                    continue
                options.append((run, j, source, new_text))
            if not options:
                continue
            run, j, source, new_text = options[int(rng.integers(len(options)))]
            sx, sy, sw, sh = source
            patch = cv2.resize(ctx.image[sy:sy + sh, sx:sx + sw], (target[2], target[3]), interpolation=cv2.INTER_LINEAR)
            box = _paste(image, patch, target[0], target[1])
            value: Any = int(new_text) if str(name) == "total_score" else new_text
            return TamperOutcome(image, [box], {str(name): value})
    raise TamperNotApplicable("no digit with a same-size source")


def retype(ctx: TamperContext) -> TamperOutcome:
    """Erases a field value and types a better one in a near-match font."""
    rng = ctx.rng
    image = ctx.image.copy()
    names = [f for f in ctx.template.forge_fields if _field_run(ctx.document, f) is not None]
    if not names:
        raise TamperNotApplicable("no field to retype")
    name = str(names[0] if rng.random() < 0.6 else rng.choice(names))
    run = _field_run(ctx.document, name)
    new_value = ctx.template.forged_value(name, ctx.fields[name], ctx.fields, rng)
    new_text = ctx.template.display(name, new_value, ctx.fields)
    region = _clip(_mapped(ctx, run, pad=3), image)
    x, y, w, h = region
    colour = _ink_colour(image[y:y + h, x:x + w])
    image = _erase(image, region)
    scale = h / max(1, run.box[3] + 6)
    family, weight = _near_match_font(run, new_text, rng)
    font = truetype(family, weight, max(8, int(round(run.size * scale * rng.uniform(0.95, 1.05)))))
    text_w = int(np.ceil(font.getlength(new_text))) + 4
    layer = Image.new("L", (max(w, text_w), h), 0)
    ImageDraw.Draw(layer).text((2, h / 2 + rng.uniform(-1, 1)), new_text, font=font, fill=255, anchor="lm")
    alpha = cv2.GaussianBlur(np.asarray(layer).astype(np.float32) / 255.0, (0, 0), rng.uniform(0.4, 0.9))
    box = _clip((x, y, alpha.shape[1], h), image)
    alpha = alpha[:box[3], :box[2]][..., None]
    target = image[box[1]:box[1] + box[3], box[0]:box[0] + box[2]].astype(np.float32)
    image[box[1]:box[1] + box[3], box[0]:box[0] + box[2]] = np.clip(target * (1 - alpha) + colour * alpha, 0, 255).astype(np.uint8)
    return TamperOutcome(image, [_union([region, box])], {name: new_value})


def screen_retype(ctx: TamperContext) -> TamperOutcome:
    """A number on an app's screenshot painted over with the background and typed again in an image editor: the
    editor's text tool (its own font 6 in 10 times, else the app's face), sized and placed by eye, a few percent
    and a few pixels off the app's own rendering."""
    rng = ctx.rng
    image = ctx.image.copy()
    names = [f for f in ctx.template.forge_fields if _field_run(ctx.document, f) is not None
             and any(ch.isdigit() for ch in _field_run(ctx.document, f).text)]
    if not names or ctx.capture.style != "app_screenshot":
        raise TamperNotApplicable("no number on an app's screenshot to retype")
    name = str(rng.choice(names))
    run = _field_run(ctx.document, name)
    new_value = ctx.template.forged_value(name, ctx.fields[name], ctx.fields, rng)
    new_text = ctx.template.display(name, new_value, ctx.fields)
    region = _clip(_mapped(ctx, run, pad=2), image)
    x, y, w, h = region
    patch = image[y:y + h, x:x + w]
    border = np.concatenate([patch[0], patch[-1], patch[:, 0], patch[:, -1]])
    background = np.median(border, axis=0)
    colour = _ink_colour(patch)
    image[y:y + h, x:x + w] = background.astype(np.uint8)
    size_factor = float(rng.choice([-1, 1]) * rng.uniform(0.025, 0.1) + 1.0)
    family = "latin_sans" if rng.random() < 0.6 else run.family
    weight = run.weight if rng.random() < 0.7 else ("regular" if run.weight == "bold" else "bold")
    font = truetype(family, weight, max(8, int(round(run.size * size_factor))))
    text_w = font.getlength(new_text)
    # the run's own anchor: where the app put it (its box's left, centre or right stays where the eye sees it)
    centre_x = run.box[0] + run.box[2] / 2.0
    page_w = ctx.document.size[0]
    if run.box[0] + run.box[2] > 0.85 * page_w:
        left = run.box[0] + run.box[2] - text_w
    elif run.box[0] < 0.35 * page_w and run.box[2] < 0.5 * page_w and name != "orders":
        left = run.box[0]
    else:
        left = centre_x - text_w / 2.0
    left += rng.uniform(-0.12, 0.12) * run.size
    baseline = run.box[1] + run.box[3] - 0.35 * run.size * 0.3 + rng.uniform(-0.08, 0.08) * run.size
    layer = Image.new("L", (image.shape[1], image.shape[0]), 0)
    ImageDraw.Draw(layer).text((left, baseline), new_text, font=font, fill=255, anchor="ls")
    alpha = np.asarray(layer).astype(np.float32)[..., None] / 255.0
    image = np.clip(image.astype(np.float32) * (1 - alpha) + colour * alpha, 0, 255).astype(np.uint8)
    ys, xs = np.nonzero(alpha[..., 0] > 0)
    drawn = (int(xs.min()), int(ys.min()), int(xs.max() - xs.min() + 1), int(ys.max() - ys.min() + 1)) if len(xs) \
        else region
    return TamperOutcome(image, [_union([region, drawn])], {name: new_value})


def _donor_patch(ctx: TamperContext, donor: Donor, ours: Box, theirs: Box) -> tuple[np.ndarray, Box]:
    """The donor's region `theirs` (page coordinates) warped onto our region `ours` (page coordinates) the way
    a careful forger aligns it: same perspective, same place, paper colour matched. Returns (patch, box)."""
    shift = np.float64([[1, 0, ours[0] - theirs[0]], [0, 1, ours[1] - theirs[1]], [0, 0, 1]])
    donor_to_ours = ctx.capture.homography @ shift @ np.linalg.inv(donor.capture.homography)
    width = max(ours[2], theirs[2])
    box = _clip(ctx.capture.map_box((ours[0], ours[1], width, max(ours[3], theirs[3])), pad=4), ctx.image)
    x, y, w, h = box
    if w == 0 or h == 0:
        raise TamperNotApplicable("splice target outside the image")
    to_box = np.float64([[1, 0, -x], [0, 1, -y], [0, 0, 1]]) @ donor_to_ours
    patch = cv2.warpPerspective(donor.image, to_box, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    target = ctx.image[y:y + h, x:x + w].astype(np.float32)
    gain = (np.percentile(target.reshape(-1, 3), 85, axis=0) + 1) / (np.percentile(patch.reshape(-1, 3), 85, axis=0) + 1)
    return np.clip(patch.astype(np.float32) * gain, 0, 255).astype(np.uint8), box


def splice(ctx: TamperContext) -> TamperOutcome:
    """Pastes a patch from another certificate, aligned and colour-matched: a field value or the photo."""
    rng = ctx.rng
    image = ctx.image.copy()
    donor = ctx.donor()
    names = [f for f in ctx.template.forge_fields
             if _field_run(ctx.document, f) is not None and _field_run(donor.document, f) is not None
             and donor.fields.get(f) != ctx.fields.get(f)]
    if ctx.document.photo and donor.document.photo and (not names or rng.random() < 0.25):
        patch, box = _donor_patch(ctx, donor, ctx.document.photo, donor.document.photo)
        return TamperOutcome(image, [_paste(image, patch, box[0], box[1])], {})
    if not names:
        raise TamperNotApplicable("nothing to splice")
    name = str(rng.choice(names))
    ours, theirs = _field_run(ctx.document, name).box, _field_run(donor.document, name).box
    patch, box = _donor_patch(ctx, donor, (ours[0] - 3, ours[1] - 3, ours[2] + 6, ours[3] + 6),
                              (theirs[0] - 3, theirs[1] - 3, theirs[2] + 6, theirs[3] + 6))
    return TamperOutcome(image, [_paste(image, patch, box[0], box[1])], {name: donor.fields[name]})


def erase(ctx: TamperContext) -> TamperOutcome:
    """Erases a whole line (label and value), e.g. the ID number or a remark the holder dislikes."""
    rng = ctx.rng
    names = [f for f in ctx.template.erase_fields if _field_run(ctx.document, f) is not None]
    if not names:
        raise TamperNotApplicable("no line to erase")
    name = str(rng.choice(names))
    line = _field_run(ctx.document, name).line
    boxes = [_mapped(ctx, run, pad=4) for run in ctx.document.runs if run.line == line]
    region = _clip(_union(boxes), ctx.image)
    image = _erase(ctx.image, region)
    return TamperOutcome(image, [region], {name: None})


def metadata(ctx: TamperContext) -> TamperOutcome:
    """Only the metadata changes: an editor's name in EXIF (or a PNG text chunk)."""
    return TamperOutcome(ctx.image.copy(), [], {}, software=str(ctx.rng.choice(EDITORS)), keep_pixels=True)


GENERATOR_PROMPTS = ("a scanned Chinese university graduation certificate, red seal, photo, high detail",
                     "photo of a CET-6 score report on a desk, realistic, 4k",
                     "Chinese award certificate with red stamp, realistic document photo")


def ai_generated(ctx: TamperContext) -> TamperOutcome:
    """Emulates a generator's output: rendered at half size, over-smoothed, upsampled by a strided transposed
    convolution (a faint period-2 lattice), sharpened as decoders do, no sensor noise; PNG with generator
    text chunks half the time."""
    rng = ctx.rng
    h, w = ctx.image.shape[:2]
    small = cv2.resize(ctx.image, (w // 2, h // 2), interpolation=cv2.INTER_AREA)
    small = cv2.bilateralFilter(small, 7, 30, 5)                      # waxy, over-smoothed texture
    # transposed conv, stride 2, 3x3 kernel: odd output pixels get a + b of an input, even ones 1,
    # and a + b != 1 leaves the faint period-2 lattice of generator upsamplers
    a = rng.uniform(0.502, 0.51)
    b = rng.uniform(0.502, 0.51)
    weights = np.float32([a, 1.0, b]) / ((1.0 + a + b) / 2.0)
    zero = np.zeros((small.shape[0] * 2, small.shape[1] * 2, 3), np.float32)
    zero[::2, ::2] = small
    up = cv2.filter2D(zero, -1, np.outer(weights, weights), borderType=cv2.BORDER_REFLECT)
    up = cv2.copyMakeBorder(up, 0, h - up.shape[0], 0, w - up.shape[1], cv2.BORDER_REPLICATE)
    blurred = cv2.GaussianBlur(up, (0, 0), 1.5)
    up = cv2.addWeighted(up, 1.6, blurred, -0.6, 0)                  # crisp edges on smooth surfaces
    contrast = rng.uniform(1.03, 1.1)
    up = (up - 128.0) * contrast + 128.0 + rng.uniform(-3, 5)
    image = np.clip(up, 0, 255).astype(np.uint8)
    return TamperOutcome(image, [(0, 0, w, h)], {}, output_format="png", png_text=generator_metadata(rng, w, h))


def generator_metadata(rng: np.random.Generator, width: int, height: int) -> dict[str, str]:
    """PNG text chunks a generator front-end writes (AUTOMATIC1111 `parameters`, others `Software`/`prompt`),
    present in about half the images: the rest were stripped or re-saved."""
    text: dict[str, str] = {}
    if rng.random() < 0.5:
        seed = int(rng.integers(1, 2**31))
        prompt = str(rng.choice(GENERATOR_PROMPTS))
        if rng.random() < 0.5:
            text["parameters"] = (f"{prompt}\nNegative prompt: blurry, watermark\nSteps: 30, Sampler: DPM++ 2M Karras, "
                                  f"CFG scale: 7, Seed: {seed}, Size: {width}x{height}, Model: sd_xl_base_1.0")
        else:
            text["Software"] = "Stable Diffusion"
            text["prompt"] = prompt
    return text


TAMPERERS: dict[str, Callable[[TamperContext], TamperOutcome]] = {
    "copy_move": copy_move, "splice": splice, "retype": retype, "erase": erase, "metadata": metadata,
    "ai_generated": ai_generated, "screen_retype": screen_retype,
}
