"""The seal-ink check: a digit copied from under the seal over another carries red ink that stops at its cell's edge;
it is found and marked, and drives the verdict. Honest red is left alone: a seal over the date, a character printed
red, a navy signature. The cut is set on generated sets (honest pages as made and re-saved) and the signal reads it."""
from __future__ import annotations

import io
import json

import cv2
import numpy as np
import pytest
from PIL import Image

from credlift.evals.synth import SynthSpec, render_credential
from credlift.evals.synth.drawing import SEAL_RED, Canvas
from credlift.tools.forensics import assess_authenticity
from credlift.tools.forensics.context import AnalysisContext
from credlift.tools.forensics.glyphs import glyph_boxes
from credlift.tools.forensics.signals.base import DECISIVE_FROM
from credlift.tools.forensics.signals.seal_ink import (CARD_PATH, RED_ABOVE_PAPER, SealInkSignal, cell_fragments,
                                                       redness, seal_circles, stray_fragment)
from credlift.tools.intake import load_upload

NUMBER = "2019123456"
DATE = "2019年06月30日"
# a degree certificate (a scan) whose generated copy-move lifted a digit from the date under the school's seal
COPIED_FROM_UNDER_THE_SEAL = SynthSpec(type="degree", seed=3372818125, capture="scan", tamper="copy_move")


def _draw(red_digit: bool = False, signature: bool = False):
    """A page with a certificate number (its third digit printed red if asked), and a date under a round red seal;
    the drawn document, the number's character boxes and the date's run."""
    canvas = Canvas(1200, 900, np.random.default_rng(4))
    canvas.text(120, 200, "证书编号：", 30, "sans")
    boxes, x = [], 270.0
    for part, colour in ((NUMBER[:2], None), (NUMBER[2], SEAL_RED if red_digit else None), (NUMBER[3:], None)):
        boxes += canvas.text(x, 200, part, 30, "sans", **({"color": colour} if colour else {})).char_boxes
        x += Canvas.measure(part, 30, "sans")
    date = canvas.text(640, 620, DATE, 30, "sans")
    canvas.seal(760, 600, 95, "教育部教育考试院")
    if signature:
        canvas.signature(200, 500, "张晓明", 44)
    return canvas.finish(), boxes, date


def _copy_digit_from_under_the_seal(document, number_boxes, date) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """The page with the date digit that carries the most seal ink (but is not all red) pasted over the number's
    third digit; the pasted box."""
    rgb = document.rgb.copy()
    rel = redness(_lab(rgb))

    def red_share(box):
        x, y, w, h = box
        return float(np.mean(rel[y:y + h, x:x + w] > RED_ABOVE_PAPER))

    digits = [box for ch, box in zip(date.text, date.char_boxes) if ch.isdigit() and ch != NUMBER[2]]
    source = max((box for box in digits if red_share(box) < 0.5), key=red_share)
    assert red_share(source) > 0.03  # the seal lies over it
    x, y, w, h = number_boxes[2]
    sx, sy, sw, sh = source
    rgb[y:y + h, x:x + w] = cv2.resize(document.rgb[sy:sy + sh, sx:sx + sw], (w, h), interpolation=cv2.INTER_LINEAR)
    return rgb, (x, y, w, h)


def _lab(rgb: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB)


def _stray(rgb: np.ndarray):
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    return stray_fragment(_lab(rgb), gray, glyph_boxes(gray))


def _upload(rgb: np.ndarray, quality: int = 92):
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, "JPEG", quality=quality)
    return load_upload(buffer.getvalue(), "page.jpg")


def _analyse(upload, card_path=CARD_PATH):
    return SealInkSignal(card_path=card_path).analyse(AnalysisContext(upload=upload))


def _overlaps(box, target) -> bool:
    tx, ty, tw, th = target
    return box.x < tx + tw and tx < box.x + box.w and box.y < ty + th and ty < box.y + box.h


@pytest.fixture(scope="module")
def drawn():
    return _draw()


def test_a_digit_copied_from_under_the_seal_is_flagged_and_marked(drawn):
    rgb, target = _copy_digit_from_under_the_seal(*drawn)
    signal = _analyse(_upload(rgb))
    assert signal.details["found"] is True and signal.score >= DECISIVE_FROM
    assert "seal" in signal.summary and len(signal.boxes) == 1 and _overlaps(signal.boxes[0], target)


def test_the_page_as_printed_is_not_flagged(drawn):
    document, _, _ = drawn
    signal = _analyse(_upload(document.rgb))
    assert signal.score < DECISIVE_FROM and signal.boxes == [] and "No red ink" in signal.summary


def test_the_seal_over_the_date_is_the_seals_own_ink(drawn):
    """The date's digits carry seal ink too, cut by nothing: the seal is found where it was stamped, and no cluster
    inside it counts."""
    document, _, _ = drawn
    circles = seal_circles(redness(_lab(document.rgb)))
    assert any(abs(cx - 760) <= 8 and abs(cy - 600) <= 8 and 80 <= r <= 110 for cx, cy, r in circles)
    assert _stray(document.rgb) is None


def test_red_cut_off_inside_a_seal_is_the_seals():
    """A speck of red in the hole of a 0 is cut off at its cell either way; inside the seal's circle it is the seal's
    speckle, on the number it is evidence."""
    canvas = Canvas(1200, 900, np.random.default_rng(5))
    canvas.text(120, 200, "证书编号：", 30, "sans")
    far = canvas.text(270, 200, "2010300", 30, "sans")
    near = canvas.text(732, 664, "2010", 26, "sans")  # inside the seal, under its star
    canvas.seal(760, 600, 95, "教育部教育考试院")
    document = canvas.finish()

    def with_speck(box):
        rgb = document.rgb.copy()
        x, y, w, h = box
        rgb[y + h // 2 - 3:y + h // 2 + 3, x + w // 2 - 2:x + w // 2 + 2] = SEAL_RED
        return rgb

    rgb = with_speck(near.char_boxes[1])
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    assert cell_fragments(redness(_lab(rgb)), gray, glyph_boxes(gray))  # cut off at its cell
    assert _stray(rgb) is None                                           # but inside the seal
    fragment = _stray(with_speck(far.char_boxes[1]))
    x, y, w, h = far.char_boxes[1]
    assert fragment is not None and x <= fragment.box[0] < x + w and y <= fragment.box[1] < y + h


def test_a_character_printed_red_and_a_navy_signature_are_not_seal_ink():
    document, number_boxes, _ = _draw(red_digit=True, signature=True)
    rgb = document.rgb
    x, y, w, h = number_boxes[2]
    assert np.mean(redness(_lab(rgb))[y:y + h, x:x + w] > RED_ABOVE_PAPER) > 0.05  # the red digit is red
    assert _stray(rgb) is None
    assert _analyse(_upload(rgb)).score < DECISIVE_FROM


def test_navy_ink_is_not_red():
    page = np.full((60, 60, 3), (250, 248, 242), np.uint8)
    page[20:40, 10:30] = (25, 30, 70)    # navy: a* > 0, b* far under the paper's
    page[20:40, 35:55] = SEAL_RED
    rel = redness(_lab(page))
    assert rel[30, 20] == 0 and rel[30, 45] > 30


def test_without_a_cut_the_check_abstains(drawn, tmp_path):
    rgb, _ = _copy_digit_from_under_the_seal(*drawn)
    signal = _analyse(_upload(rgb), card_path=tmp_path / "none.json")
    assert signal.score == 0.0 and signal.details == {"found": False} and "not calibrated" in signal.summary


@pytest.fixture(scope="module")
def generated():
    return render_credential(COPIED_FROM_UNDER_THE_SEAL)


def test_a_generated_copy_move_from_under_the_seal_drives_the_verdict(generated, data_dir):
    assert generated.label["tamper_kind"] == "copy_move"
    upload = load_upload(generated.image_bytes, f"page.{generated.extension}")
    report = assess_authenticity(upload, data_dir=data_dir)
    signal = next(s for s in report.signals if s.name == "seal_ink")
    assert signal.score >= DECISIVE_FROM
    target = tuple(v * upload.scale for v in generated.label["tamper_boxes"][0])
    assert any(_overlaps(box, target) for box in signal.boxes)
    assert report.verdict in ("suspicious", "tampered") and "seal_ink" in report.drivers
    pristine = load_upload(generated.pristine_bytes, f"page.{generated.pristine_extension}")
    assert _analyse(pristine).score < DECISIVE_FROM


def test_the_cut_is_set_on_honest_pages_as_made_and_re_saved(tmp_path):
    from credlift.evals.synth import generate_dataset
    from credlift.training.forensics.seal_ink_calibration import MIN_CUT, SAFETY, calibrate_seal_ink, choose_cut

    assert choose_cut(np.array([0.0, 12.0, 31.0])) == max(SAFETY * 31.0, MIN_CUT)
    assert choose_cut(np.array([0.0, 1.0])) == MIN_CUT
    data = tmp_path / "set"
    generate_dataset(data, n=8, seed=31, types=["degree", "award"], capture="scan", tamper_rate=0.5,
                     tamper_kinds=["copy_move"], workers=1)
    card_path = tmp_path / "seal_ink.json"
    card = calibrate_seal_ink([data], out=card_path, workers=1, log=lambda message: None)
    assert json.loads(card_path.read_text()) == card
    assert card["data"] == ["set"] and card["honest_pages"] >= 1 and card["cut"] >= MIN_CUT
    assert card["cut"] >= SAFETY * max(card["honest_max"], card["resaved_max"])
    assert 0 <= card["copy_moves_caught"] <= card["copy_moves"]
    # the signal reads the card it is given
    signal = _analyse(_upload(_draw()[0].rgb), card_path=card_path)
    assert signal.details["found"] is False and signal.score < DECISIVE_FROM


def test_the_shipped_cut_was_set_on_the_training_sets():
    import re

    from credlift.training.forensics.seeds import RESERVED_SEEDS, TRAIN_SEEDS

    card = json.loads(CARD_PATH.read_text())
    seeds = [int(re.match(r"synth-(\d+)-n\d+", name).group(1)) for name in card["data"]]
    assert seeds == list(TRAIN_SEEDS) and not set(seeds) & set(RESERVED_SEEDS)
    assert card["cut"] >= 2 * max(card["honest_max"], card["resaved_max"]) and card["copy_moves_caught"] >= 1
