"""Captures as varied as life (scanner apps, PDF renders) and what happens to a file afterwards (a chat app's
resize and recompression, an off-grid re-save, a screenshot): honest and forged files leave through the same
final save, and the labels follow the pixels."""
from __future__ import annotations

import numpy as np
import pytest

from credlift.evals.synth.capture import AFTER_CHAINS, after_chain
from credlift.evals.synth.encode import decode
from credlift.evals.synth.generate import (SynthSpec, VARIED_AFTER_WEIGHTS, VARIED_CAPTURE_WEIGHTS, plan_dataset,
                                           render_credential)
from credlift.tools.forensics.domain import blown_out_share


def _outside(mask_shape, boxes, pad):
    outside = np.ones(mask_shape, bool)
    for x, y, w, h in boxes:
        outside[max(0, y - pad):y + h + pad, max(0, x - pad):x + w + pad] = False
    return outside


@pytest.mark.parametrize("after", ["messaging", "recompress", "screenshot"])
def test_a_forgery_and_its_page_leave_through_the_same_final_save(after):
    spec = SynthSpec(type="cet4", seed=7, capture="pdf_render", tamper="retype", after=after, same_quality=True)
    forged = render_credential(spec)
    label = forged.label
    assert label["after"] == after and label["after_steps"] and label["same_quality_as_pristine"]
    honest = render_credential(spec.model_copy(update={"tamper": "none"}))
    assert honest.image_bytes == forged.pristine_bytes  # the untouched twin is the honest file, chain and all
    assert honest.label["format"] == label["format"] and honest.label["jpeg_quality"] == label["jpeg_quality"]
    a, b = decode(forged.image_bytes), decode(forged.pristine_bytes)
    assert a.shape == b.shape == (label["height"], label["width"], 3)
    diff = np.abs(a.astype(np.int16) - b.astype(np.int16)).max(axis=2)
    (x, y, w, h), = label["tamper_boxes"]
    assert w > 0 and h > 0 and x + w <= label["width"] and y + h <= label["height"]
    assert diff[y:y + h, x:x + w].mean() > 5  # the mapped box is where the edit is
    assert diff[_outside(diff.shape, label["tamper_boxes"], 16)].mean() < 1.0  # and nowhere else


def test_messaging_shrinks_strips_metadata_and_maps_the_field_boxes():
    spec = SynthSpec(type="cet6", seed=11, capture="photo", after="messaging")
    sample = render_credential(spec)
    plain = render_credential(spec.model_copy(update={"after": "none"}))
    label = sample.label
    assert max(label["width"], label["height"]) <= 1600 and label["format"] == "jpeg"
    assert 60 <= label["jpeg_quality"] <= 85 and b"Exif" not in sample.image_bytes[:4096]
    scale = label["width"] / plain.label["width"]
    for name, box in plain.label["field_boxes"].items():
        mapped = label["field_boxes"][name]
        assert abs(mapped[0] - box[0] * scale) <= 2 and abs(mapped[2] - box[2] * scale) <= 3


def test_recompress_moves_the_grid_and_keeps_the_camera_metadata():
    spec = SynthSpec(type="cet4", seed=3, capture="photo", after="recompress")
    sample, plain = render_credential(spec), render_credential(spec.model_copy(update={"after": "none"}))
    dx = plain.label["width"] - sample.label["width"]
    dy = plain.label["height"] - sample.label["height"]
    assert 1 <= dx <= 7 and 1 <= dy <= 7  # off the 8x8 grid
    assert b"Exif" in sample.image_bytes[:4096]
    for name, box in plain.label["field_boxes"].items():
        assert sample.label["field_boxes"][name][:2] == [max(0, box[0] - dx), max(0, box[1] - dy)]


@pytest.mark.parametrize("style", ["scanner_app", "pdf_render"])
def test_new_capture_styles_render_deterministically_with_boxes_inside(style):
    spec = SynthSpec(type="degree", seed=5, capture=style)
    one, two = render_credential(spec), render_credential(spec)
    assert one.image_bytes == two.image_bytes and one.label["capture"] == style
    rgb = decode(one.image_bytes)
    assert rgb.shape[:2] == (one.label["height"], one.label["width"])
    for x, y, w, h in one.label["field_boxes"].values():
        assert w > 0 and h > 0 and x + w <= one.label["width"] and y + h <= one.label["height"]
    gray = rgb.mean(axis=2)
    boxes = list(one.label["field_boxes"].values())
    ink = [gray[y:y + h, x:x + w].min() for x, y, w, h in boxes]
    assert np.median(ink) < 120  # the mapped boxes land on printed text, not on blank paper


def test_scanner_app_pages_keep_their_paper_white_as_the_apps_do():
    """Real scanner-app pages (the development set's docscanner_app: 67-96% of pixels at 250+ in every channel)
    have their paper blown out or, in the lighter modes, kept near white; never darkened to grey (an unsharp mask
    whose two weights were drawn apart did that to half the pages)."""
    paper, blown = [], []
    for seed in range(12):
        rgb = decode(render_credential(SynthSpec(type=("degree", "cet6", "award")[seed % 3], seed=seed,
                                                 capture="scanner_app")).image_bytes)
        paper.append(float(np.median(rgb)))
        blown.append(blown_out_share(rgb))
    assert min(paper) >= 235
    assert sum(share >= 0.6 for share in blown) >= 4 and sum(share < 0.5 for share in blown) >= 2  # both modes


def test_a_metadata_only_edit_is_made_last_and_takes_no_chain():
    sample = render_credential(SynthSpec(type="award", seed=4, capture="photo", tamper="metadata", after="messaging"))
    assert sample.label["after"] == "none" and sample.label["tampered"]


def test_varied_plans_draw_every_capture_and_after_chain():
    plan = plan_dataset(200, 9, ["cet4", "degree"], "varied", 0.5, ["retype", "splice"])
    styles = {spec.capture for spec, _ in plan}
    afters = {spec.after for spec, _ in plan}
    assert styles == set(VARIED_CAPTURE_WEIGHTS) and afters == set(VARIED_AFTER_WEIGHTS)
    mixed = plan_dataset(20, 9, ["cet4"], "mixed", 0.5, ["retype"])
    assert all(spec.after is None for spec, _ in mixed)  # sets made with `mixed` stay as they were


def test_after_chain_refuses_an_unknown_chain():
    rgb = np.full((40, 40, 3), 200, np.uint8)
    assert set(AFTER_CHAINS) >= {"none", "messaging", "recompress", "screenshot"}
    with pytest.raises(ValueError):
        after_chain(rgb, "fax", np.random.default_rng(0))
