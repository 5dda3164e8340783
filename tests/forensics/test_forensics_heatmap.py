"""The map staff see: where the edit is, from the localisers; calm on images judged authentic."""
from __future__ import annotations

import cv2
import numpy as np

from credlift.domain.authenticity import SignalReport
from credlift.tools.forensics.heatmap import combine_heatmaps, marked_areas, read_overlay, write_overlay

SHAPE = (80, 120)


def _map(y0: int, y1: int, x0: int, x1: int, value: float) -> np.ndarray:
    heat = np.zeros(SHAPE, np.float32)
    heat[y0:y1, x0:x1] = value
    return heat


def _report(name: str, score: float, **details) -> SignalReport:
    return SignalReport(name=name, score=score, summary="", details=details)


def test_the_trace_networks_area_is_the_map_and_texture_maps_are_left_out():
    heatmaps = {"trace": _map(10, 30, 10, 40, 0.95), "ela": _map(0, 80, 0, 120, 1.0), "noise": _map(50, 80, 60, 120, 1.0)}
    signals = [_report("trace", 0.95, mapped=True), _report("ela", 0.9), _report("noise", 0.8)]
    combined = combine_heatmaps(heatmaps, signals, SHAPE, probability=0.9, threshold=0.72)
    assert combined[20, 20] == np.float32(0.95)
    assert combined[60, 100] == 0.0, "a texture map (ELA, noise) lights honest paper too: not shown when the network ran"


def test_an_image_judged_authentic_shows_no_hot_area():
    heatmaps = {"trace": _map(10, 30, 10, 40, 0.95)}
    signals = [_report("trace", 0.95, mapped=True)]
    calm = combine_heatmaps(heatmaps, signals, SHAPE, probability=0.2, threshold=0.72)
    assert calm.max() < 0.3
    flagged = combine_heatmaps(heatmaps, signals, SHAPE, probability=0.8, threshold=0.72)
    assert flagged.max() == np.float32(0.95)


def test_cloned_glyphs_are_marked_by_their_signals_strength():
    heatmaps = {"trace": np.zeros(SHAPE, np.float32), "copy_move": _map(40, 50, 40, 50, 1.0)}
    signals = [_report("trace", 0.0, mapped=True), _report("copy_move", 0.9)]
    assert combine_heatmaps(heatmaps, signals, SHAPE)[45, 45] == np.float32(0.9)


def test_without_the_trace_network_every_signal_counts_by_its_score():
    heatmaps = {"trace": np.zeros(SHAPE, np.float32), "ela": _map(0, 10, 0, 10, 1.0), "noise": _map(20, 30, 20, 30, 1.0)}
    signals = [_report("trace", 0.0, mapped=False), _report("ela", 0.6), _report("noise", 0.1)]
    combined = combine_heatmaps(heatmaps, signals, SHAPE)
    assert combined[5, 5] == np.float32(0.6)
    assert combined[25, 25] == 0.0, "a signal below the minimum score is not trusted to show a place"


def test_a_generated_image_is_marked_everywhere():
    heatmaps = {"trace": _map(10, 30, 10, 40, 0.4)}
    signals = [_report("trace", 0.4, mapped=True), _report("ai_generation", 0.92)]
    combined = combine_heatmaps(heatmaps, signals, SHAPE, probability=0.95, threshold=0.72)
    assert combined.min() == np.float32(0.92)


def _red_outline_pixels(png: np.ndarray) -> int:
    b, g, r = png[..., 0].astype(int), png[..., 1].astype(int), png[..., 2].astype(int)
    return int(((r > 200) & (g < 40) & (b < 40)).sum())


def _png(path) -> np.ndarray:
    return cv2.imdecode(np.frombuffer(read_overlay(path), np.uint8), cv2.IMREAD_COLOR)


def test_the_overlay_outlines_only_the_areas_the_map_marks(tmp_path):
    page = np.full((*SHAPE, 3), 235, np.uint8)
    calm = write_overlay(page, _map(10, 30, 10, 40, 0.5), tmp_path / "calm.jpg")
    assert _red_outline_pixels(_png(calm)) == 0, "no box where the map stays below the mark"
    marked = write_overlay(page, _map(10, 30, 10, 40, 0.9), tmp_path / "marked.jpg")
    assert _red_outline_pixels(_png(marked)) > 40
    assert [(b.x, b.y, b.w, b.h) for b in marked_areas(_map(10, 30, 10, 40, 0.9))] == [(10, 10, 30, 20)]


def test_the_overlay_is_sealed_at_rest(tmp_path):
    """It shows the document, so it is encrypted like the upload: no JPEG signature on disk, the JPEG once opened."""
    overlays = tmp_path / "data" / "overlays"
    path = write_overlay(np.full((*SHAPE, 3), 235, np.uint8), _map(10, 30, 10, 40, 0.9), overlays / "o.jpg")
    assert not path.read_bytes().startswith(b"\xff\xd8") and read_overlay(path).startswith(b"\xff\xd8\xff")
    assert (tmp_path / "data" / "keys" / "data.key").is_file(), "keyed by the data directory it lives in"
