"""The photo-margin check: an ID photo pasted in with a margin of another page's paper is found and marked; the
same photo printed on the page's own paper is not; pages without a photo are left alone; the cut is set on
generated sets (honest pages as made and re-saved) and the signal reads it."""
from __future__ import annotations

import io
import json

import cv2
import numpy as np
import pytest
from PIL import Image

from credlift.evals.synth.generate import SynthSpec, render_credential
from credlift.tools.forensics import assess_authenticity
from credlift.tools.forensics.context import AnalysisContext
from credlift.tools.forensics.signals.base import DECISIVE_FROM
from credlift.tools.forensics.signals.photo_margin import CARD_PATH, PhotoMarginSignal, measure_photo
from credlift.tools.intake import load_upload
from forensic_pages import paper

PHOTO = (300, 200, 160, 210)  # x, y, w, h on the drawn page
# a CET-4 report whose photo the generator replaces with another report's (a scan), and the page as printed
SPLICED_PHOTO = SynthSpec(type="cet4", seed=7, capture="scan", tamper="splice")


def _page(foreign_margin: int = 0) -> np.ndarray:
    """Paper with a few text bars and a blue-background portrait; with `foreign_margin`, the portrait arrives in a
    frame of whiter, cooler paper that many pixels wide (a photo cut from another page)."""
    page = paper(width=900, height=1200, seed=3).astype(np.float32)
    for row in range(6):
        page[700 + row * 60:720 + row * 60, 120:700] = 50
    x, y, w, h = PHOTO
    if foreign_margin:
        m = foreign_margin
        rng = np.random.default_rng(5)
        page[y - m:y + h + m, x - m:x + w + m] = np.array([246, 246, 248], np.float32) + rng.normal(0, 3, (h + 2 * m, w + 2 * m, 1))
    page[y:y + h, x:x + w] = (67, 142, 219)
    yy, xx = np.mgrid[0:h, 0:w]
    page[y:y + h, x:x + w][((xx - w / 2) / (w * 0.25)) ** 2 + ((yy - h * 0.38) / (h * 0.22)) ** 2 < 1] = (232, 196, 170)
    page[y + int(h * 0.72):y + h, x + 10:x + w - 10] = (30, 34, 48)
    return np.clip(page, 0, 255).astype(np.uint8)


def _upload(rgb: np.ndarray, quality: int = 92):
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, "JPEG", quality=quality)
    return load_upload(buffer.getvalue(), "page.jpg")


def _analyse(upload):
    return PhotoMarginSignal().analyse(AnalysisContext(upload=upload))


def test_the_photo_is_found_where_it_is_printed():
    measured = measure_photo(cv2.cvtColor(_upload(_page()).rgb, cv2.COLOR_RGB2LAB))
    assert measured is not None
    hull = measured[0]
    xs, ys = hull[:, 0, 0], hull[:, 0, 1]
    x, y, w, h = PHOTO
    assert abs(xs.min() - x) <= 3 and abs(ys.min() - y) <= 3 and abs(xs.max() - (x + w)) <= 3 and abs(ys.max() - (y + h)) <= 3


def test_a_photo_on_the_pages_own_paper_is_not_flagged():
    signal = _analyse(_upload(_page()))
    assert signal.details["found"] is True and signal.score < DECISIVE_FROM and signal.boxes == []
    assert "matches" in signal.summary


def test_a_photo_in_a_frame_of_foreign_paper_is_flagged_and_marked():
    signal = _analyse(_upload(_page(foreign_margin=5)))
    assert signal.details["found"] is True and signal.score >= DECISIVE_FROM
    assert "another page" in signal.summary
    x, y, w, h = PHOTO
    box = signal.boxes[0]
    assert box.x <= x and box.y <= y and box.x + box.w >= x + w and box.y + box.h >= y + h


def test_a_page_without_a_photo_is_left_alone():
    signal = _analyse(_upload(paper(width=900, height=1200, seed=4)))
    assert signal.score == 0.0 and signal.details == {"found": False} and signal.boxes == []


def test_without_a_cut_the_check_abstains(tmp_path):
    signal = PhotoMarginSignal(card_path=tmp_path / "none.json").analyse(AnalysisContext(upload=_upload(_page(5))))
    assert signal.score == 0.0 and signal.details == {"found": False} and "not calibrated" in signal.summary


@pytest.fixture(scope="module")
def spliced():
    return render_credential(SPLICED_PHOTO)


def test_a_generated_photo_splice_is_found_and_drives_the_verdict(spliced, data_dir):
    assert spliced.label["tamper_kind"] == "splice" and not spliced.label["tampered_fields"]  # the photo, no value
    upload = load_upload(spliced.image_bytes, f"page.{spliced.extension}")
    report = assess_authenticity(upload, data_dir=data_dir)
    signal = next(s for s in report.signals if s.name == "photo_margin")
    assert signal.score >= DECISIVE_FROM
    tx, ty, tw, th = (v * upload.scale for v in spliced.label["tamper_boxes"][0])
    assert any(b.x < tx + tw and tx < b.x + b.w and b.y < ty + th and ty < b.y + b.h for b in signal.boxes)
    assert report.verdict in ("suspicious", "tampered") and "photo_margin" in report.drivers


def test_the_same_page_as_printed_is_not_flagged(spliced):
    upload = load_upload(spliced.pristine_bytes, f"page.{spliced.pristine_extension}")
    signal = _analyse(upload)
    assert signal.details["found"] is True and signal.score < DECISIVE_FROM


def test_the_cut_is_set_on_honest_pages_as_made_and_re_saved(tmp_path):
    from credlift.evals.synth import generate_dataset
    from credlift.training.forensics.photo_margin_calibration import calibrate_photo_margin, choose_cut

    honest = np.arange(1000) / 100.0
    assert np.mean(honest >= choose_cut(honest)) == 0.005  # 5 of 1,000 at or over it
    data = tmp_path / "set"
    generate_dataset(data, n=10, seed=31, types=["cet4", "degree"], capture="scan", tamper_rate=0.4,
                     tamper_kinds=["splice"], workers=1)
    card_path = tmp_path / "photo_margin.json"
    card = calibrate_photo_margin([data], out=card_path, workers=1, log=lambda message: None)
    assert json.loads(card_path.read_text()) == card
    assert card["data"] == ["set"] and card["honest_pages_with_photo"] >= 1 and card["cut"] > 0
    assert card["honest_flagged"] <= 0.5 and 0 <= card["photo_splices_caught"] <= card["photo_splices"]
    # the signal reads the card it is given
    signal = PhotoMarginSignal(card_path=card_path).analyse(AnalysisContext(upload=_upload(_page())))
    assert signal.details["found"] is True


def test_the_shipped_cut_was_set_on_the_training_sets():
    import re

    from credlift.training.forensics.seeds import RESERVED_SEEDS, TRAIN_SEEDS

    card = json.loads(CARD_PATH.read_text())
    seeds = [int(re.match(r"synth-(\d+)-n\d+", name).group(1)) for name in card["data"]]
    assert seeds == list(TRAIN_SEEDS) and not set(seeds) & set(RESERVED_SEEDS)
    assert card["honest_flagged"] <= 0.005 and card["resaved_flagged"] <= 0.01
