"""The holder's name against the way this certificate prints it (a document-aware, learned check).

The name is the edit that matters most (one's own name on someone else's certificate) and the one pixel signals
miss most: it carries no code or sum the content check could test. A forger types it over in a near-match font
(bolder, or serif for sans) or pastes it from another certificate's photo (other blur, paper noise, lighting). The
signal finds the name where the extraction parsers read it (the OCR line, and the name's share of that line),
measures how it is printed (`print_style`) and compares it with the text lines around it and with the page's other
lines of the same height; a small gradient-boosted model, trained on generated certificates by
`name_style_training.py`, turns that and the certificate type (each type prints its name in its own way) into the
probability that the name was edited. The finding is decisive evidence (`fusion.DECISIVE`) at the cut chosen in
training (0.5% of honest names flagged out of fold); below it, it is reported and weighs nothing.

Abstains without OCR lines, without a name the parsers can read, or when the model has not been trained. Never
quotes the name.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from credlift.domain.authenticity import Box, SignalReport
from credlift.domain.credential import OcrLine
from credlift.tools.credentials import name_style_types  # the types the trained model has a slot for
from credlift.tools.forensics.context import AnalysisContext
from credlift.tools.forensics.signals.base import SignalRole  # what this signal is to fusion and the map
from credlift.tools.forensics.print_style import HEIGHT, PagePlanes, page_spread, relative_to, style_of
from credlift.tools.forensics.signals.base import (DECISIVE_FROM, boxes_map, load_model, load_trees, page_record,
                                                   reported_score, unmapped_report)

MODEL_PATH = Path(__file__).resolve().parent.parent / "models" / "name_style.joblib"
NEAREST_LINES = 8
SAME_HEIGHT = 0.25


Rect = tuple[int, int, int, int]


def locate_name(lines: list[OcrLine], name: str, line_index: int | None) -> tuple[Rect, bool] | None:
    """(x, y, w, h of the name, whether it was cut out of a longer line) on the analysed image, or None. The name's
    share of its OCR line is taken by character position (CJK characters are about equally wide)."""
    if line_index is None:  # parsers of sentence layouts read the name without its line
        line_index = next((i for i, line in enumerate(lines) if name in line.text), None)
    if line_index is None or not 0 <= line_index < len(lines):
        return None
    line = lines[line_index]
    x, y, w, h = (int(v) for v in line.box)
    start = line.text.find(name)
    if start < 0 or not line.text:
        return (x, y, w, h), False
    left, right = start / len(line.text), (start + len(name)) / len(line.text)
    return (int(x + left * w), y, max(4, int((right - left) * w)), h), True


def name_features(rgb: np.ndarray, gray: np.ndarray, lines: list[OcrLine], credential_type: str | None,
                  name: str, line_index: int | None, ctx: AnalysisContext | None = None
                  ) -> tuple[np.ndarray, Rect] | None:
    """The model's input for the printed name, and the name's box; None when the name cannot be found or measured."""
    from credlift.tools.forensics.signals.document import find_text_lines

    located = locate_name(lines, name, line_index)
    if located is None:
        return None
    box, inline = located
    planes = PagePlanes.of(rgb, gray, ctx)
    own = style_of(planes, box)
    if np.isnan(own).any():
        return None
    runs = np.array(ctx.text_lines(gray) if ctx is not None else find_text_lines(gray), np.int32).reshape(-1, 4)
    run_styles = np.array([style_of(planes, tuple(r)) for r in runs], np.float32).reshape(-1, own.size)
    line_styles = np.array([style_of(planes, tuple(int(v) for v in line.box)) for line in lines],
                           np.float32).reshape(-1, own.size)
    spread = page_spread(np.vstack([own[None], run_styles, line_styles]))
    centre = np.array([box[0] + box[2] / 2, box[1] + box[3] / 2])
    if len(runs):
        distance = np.hypot(runs[:, 0] + runs[:, 2] / 2 - centre[0], runs[:, 1] + runs[:, 3] / 2 - centre[1])
        order = [j for j in np.argsort(distance)[:NEAREST_LINES + 1] if distance[j] > 2][:NEAREST_LINES]
        nearest = run_styles[order]
    else:
        nearest = run_styles
    with np.errstate(invalid="ignore"):
        same_height = line_styles[np.abs(line_styles[:, HEIGHT] - own[HEIGHT]) <= SAME_HEIGHT * own[HEIGHT]]
    vector = np.concatenate([
        [float(credential_type == t) for t in name_style_types()], own,
        relative_to(own, nearest, spread), relative_to(own, same_height, spread),
        relative_to(own, line_styles, spread), [float(inline), float(len(name))]])
    return vector.astype(np.float64), box


def measure_name(ctx: AnalysisContext) -> tuple[np.ndarray, Rect, str | None] | None:
    """(the model's input, the name's box, the credential type) for the name the parsers read from the page's OCR
    lines; None without lines, a name, or a measurable print. The signal and its training both measure this way."""
    if not ctx.ocr_lines:
        return None
    record, sources = page_record(ctx)
    name = record.fields.get("holder_name")
    if not name:
        return None
    measured = name_features(ctx.rgb, ctx.gray, ctx.ocr_lines, record.type, str(name), sources.get("holder_name"),
                             ctx)
    return None if measured is None else (*measured, record.type)


class NameStyleSignal:
    name = "name_style"
    role = SignalRole(decisive_at=0.85, localiser=True, reads_text=True,
                      calibrator="credlift.training.forensics.name_style_training:calibrate_name_style")

    def __init__(self, model_path: Path = MODEL_PATH) -> None:
        self.model_path = model_path

    def prepare(self) -> None:
        """Loads what this check runs on, once per process (warm-up: the first upload is not the slow one)."""
        load_model(self.model_path, loader=load_trees)

    def analyse(self, ctx: AnalysisContext) -> SignalReport:
        artifact = load_model(self.model_path, loader=load_trees)
        if artifact is None or not ctx.ocr_lines:
            why = "not trained" if artifact is None else "the page's text was not read"
            return self._abstain(ctx, f"The holder's name was not compared with the page ({why}).")
        measured = measure_name(ctx)
        if measured is None:
            return self._abstain(ctx, "No holder's name was found on the page to compare with the rest of it.")
        vector, (x, y, w, h), credential_type = measured
        probability = float(artifact["model"].predict_proba(vector[None])[0, 1])
        score = reported_score(probability, float(artifact["cut"]))
        flagged = score >= DECISIVE_FROM
        boxes = [Box(x=x, y=y, w=w, h=h)] if flagged else []
        ctx.record_heatmap(self.name, boxes_map(ctx, boxes))
        if flagged:
            summary = ("The holder's name is printed unlike the rest of this certificate (stroke weight, sharpness, "
                       "contrast or the paper around it), as when a name is typed or pasted over.")
        else:
            summary = "The holder's name is printed like the rest of the page."
        return SignalReport(name=self.name, score=score, boxes=boxes, summary=summary,
                            details={"checked": True, "probability": round(probability, 4), "flagged": flagged,
                                     "credential_type": credential_type})

    def _abstain(self, ctx: AnalysisContext, summary: str) -> SignalReport:
        return unmapped_report(ctx, self.name, summary, {"checked": False})
