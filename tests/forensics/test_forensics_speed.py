"""CPU per decision (issue 30): the faster ways of computing a signal give the figures the slower ones gave.

- The gradient-boosted detectors (block, grid cells, holder name) and the fusion's calibration folds run their
  trees on onnxruntime (tools/forensics/trees.py): the same probabilities as sklearn, NaNs routed the same way.
- The document check sums every unit's rectangles at once: the sums a direct count over the planes gives.
- The trace network's input planes come from look-up tables: bit for bit what scaled_planes makes; its tiles
  overlap by the receptive field, not more, and give the whole image's block probabilities bit for bit.
- The JPEG ghost curves are summed in place: bit for bit block_reduce's figures.
- The warm-up loads every check's model and the fusion's bound before the first upload.
"""
from __future__ import annotations

import joblib
import numpy as np
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier

from credlift.tools.forensics.trees import CompiledTrees, compile_trees


def _rows(n: int, k: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    rows = rng.normal(size=(n, k)) * rng.choice([0.1, 1.0, 5.0], size=(n, k))
    rows[rng.random((n, k)) < 0.03] = np.nan  # missing values take the branch sklearn learned for them
    return rows


@pytest.mark.parametrize("name", ["grid_cells", "local_blocks"])
def test_shipped_detectors_give_sklearns_probabilities_on_onnxruntime(name):
    from credlift.tools.forensics.fusion import MODEL_DIR

    model = joblib.load(MODEL_DIR / f"{name}.joblib")
    compiled = compile_trees(model)
    assert isinstance(compiled, CompiledTrees)
    rows = _rows(400, model.n_features_in_)
    np.testing.assert_allclose(compiled.predict_proba(rows), model.predict_proba(rows), rtol=0, atol=1e-12)


def test_a_small_model_with_missing_values_and_one_leaf_trees_is_carried_exactly():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(300, 4))
    X[rng.random(X.shape) < 0.2] = np.nan
    y = (np.nan_to_num(X[:, 0]) + 0.5 * np.isnan(X[:, 1]) > 0.2).astype(int)
    model = HistGradientBoostingClassifier(max_iter=40, max_leaf_nodes=6, random_state=0).fit(X, y)
    rows = _rows(200, 4, seed=4)
    np.testing.assert_allclose(compile_trees(model).predict_proba(rows), model.predict_proba(rows), rtol=0, atol=1e-12)
    constant = HistGradientBoostingClassifier(max_iter=3).fit(np.zeros((40, 2)), np.r_[np.zeros(20), np.ones(20)])
    np.testing.assert_allclose(compile_trees(constant).predict_proba(rows[:, :2]), constant.predict_proba(rows[:, :2]),
                               rtol=0, atol=1e-12)


def test_fusion_folds_on_onnxruntime_give_the_calibrated_probabilities():
    from credlift.tools.forensics.fusion import DEFAULT_MODEL_PATH, FusionModel

    model = FusionModel.load(DEFAULT_MODEL_PATH)
    rows = np.abs(_rows(300, model.n_features_in_, seed=5))
    np.testing.assert_allclose(model.predict_proba(rows), model.calibrated_.predict_proba(rows), rtol=0, atol=1e-12)


def test_document_units_are_summed_as_a_direct_count_over_the_planes():
    from forensic_pages import certificate

    from credlift.tools.forensics.glyphs import glyph_boxes
    from credlift.tools.forensics.signals.document import unit_features, unit_planes

    rgb = certificate(seed=5, number="191211001001234")
    gray = rgb.mean(axis=2).astype(np.uint8)
    integrals = unit_planes(rgb, gray)
    units = glyph_boxes(gray)[:40]
    assert len(units) >= 10
    values = unit_features(rgb, gray, units, integrals)
    planes = {name: np.diff(np.diff(s, axis=0), axis=1) for name, s in integrals.sums.items()}  # back to pixels
    h, w = gray.shape
    for (x, y, bw, bh), got in zip(units, values):
        pad, ring = max(2, bh // 4), max(6, bh // 2)

        def inner_and_ring(name):
            p = planes[name]
            inner = p[max(0, y - pad):min(h, y + bh + pad), max(0, x - pad):min(w, x + bw + pad)].sum()
            outer = p[max(0, y - pad - ring):min(h, y + bh + pad + ring),
                      max(0, x - pad - ring):min(w, x + bw + pad + ring)].sum()
            return inner, outer - inner

        n_in, n_ring = inner_and_ring("paper")
        if n_in < 12 or n_ring < 24:
            assert not got.any()
            continue
        (l_in, l_ring), (noise_in, noise_ring) = inner_and_ring("L"), inner_and_ring("noise")
        assert got[0] == pytest.approx(l_in / n_in - l_ring / n_ring, abs=1e-3)
        assert got[2] == pytest.approx(np.log((noise_in / n_in + 0.3) / (noise_ring / n_ring + 0.3)), abs=1e-4)


def test_trace_planes_from_tables_are_scaled_planes():
    import cv2

    from credlift.tools.forensics.signals import trace

    rgb = np.random.default_rng(7).integers(0, 256, (72, 96, 3), dtype=np.uint8)
    ycrcb = cv2.cvtColor(rgb, cv2.COLOR_RGB2YCrCb)
    planes = np.empty((3, 72, 96), np.float32)
    for channel, table in enumerate(trace._PLANE_TABLES):
        np.take(table, ycrcb[..., channel], out=planes[channel])
    assert np.array_equal(planes, trace.scaled_planes(ycrcb.transpose(2, 0, 1)))


def test_trace_tiles_overlapping_by_the_receptive_field_give_the_whole_images_probabilities(monkeypatch):
    import cv2

    from credlift.tools.forensics.signals import trace
    from credlift.tools.forensics.signals.base import load_model

    session = load_model(trace.NETWORK_PATH, loader=trace._session_from)
    rng = np.random.default_rng(11)
    monkeypatch.setattr(trace, "TILE", 1024)
    rgb = cv2.GaussianBlur(rng.integers(0, 256, (1000, 1240, 3), dtype=np.uint8), (3, 3), 0)
    rows, columns = trace.tile_cuts(1000, 1240)
    assert trace.TILE_OVERLAP == 32 and (len(rows) - 1) * (len(columns) - 1) == 2  # over TILE * TILE: two tiles
    tiled = trace.block_probabilities(session, rgb)
    monkeypatch.setattr(trace, "TILE", 4096)  # one tile: the whole image at once
    whole = trace.block_probabilities(session, rgb)
    assert np.array_equal(tiled, whole)
    monkeypatch.setattr(trace, "TILE", 1024)
    monkeypatch.setattr(trace, "TILE_OVERLAP", 24)  # a block less than the receptive field: no longer the same
    assert not np.array_equal(trace.block_probabilities(session, rgb), whole)


@pytest.mark.parametrize("height,width", [(1200, 1600), (1600, 1200), (1032, 1024), (3000, 4000), (64, 64),
                                          (4000, 200), (6000, 6000)])
def test_trace_tiles_cover_the_image_within_the_memory_bound(height, width):
    from credlift.tools.forensics.signals import trace

    rows, columns = trace.tile_cuts(height, width)
    for edges, side in ((rows, height), (columns, width)):
        assert edges[0] == 0 and edges[-1] == side and all(a < b for a, b in zip(edges, edges[1:]))
        assert all(edge % trace.STRIDE == 0 for edge in edges)

    def longest(edges):
        return max(min(edges[-1], b + trace.TILE_OVERLAP) - max(0, a - trace.TILE_OVERLAP)
                   for a, b in zip(edges, edges[1:]))

    assert longest(rows) * longest(columns) <= trace.TILE * trace.TILE


def test_warm_up_loads_every_checks_models_and_lays_out_the_fusions_bound():
    import os
    from pathlib import Path

    from credlift.tools.forensics.assess import warm_up
    from credlift.tools.forensics.bounds import fold_leaves
    from credlift.tools.forensics.fusion import default_fusion_model
    from credlift.tools.forensics.signals import base

    warm_up()  # the first upload then costs what the others do (no model loaded or built on it)
    loaded = {Path(path).name for path, pid in base._models if pid == os.getpid()}
    assert {"grid_cells.joblib", "local_blocks.joblib", "name_style.joblib", "trace_net.onnx", "photo_margin.json",
            "seal_ink.json"} <= loaded
    assert fold_leaves(default_fusion_model()) is not None


def test_the_jpeg_ghost_curves_summed_in_place_are_block_reduces_bit_for_bit(monkeypatch):
    import cv2
    from forensic_pages import certificate

    from credlift.tools.forensics.signals import compression
    from credlift.tools.forensics.signals.base import block_reduce

    gray = cv2.cvtColor(certificate(seed=31), cv2.COLOR_RGB2GRAY)[:, :-5]  # a ragged edge the blocks crop
    curves = []
    real_stack = np.stack

    def keep(arrays, *args, **kwargs):
        curves.extend(arrays)
        return real_stack(arrays, *args, **kwargs)

    monkeypatch.setattr(compression.np, "stack", keep)  # the per-quality curves, as the map stacks them
    compression.jpeg_ghost_map(gray, 90.0)
    monkeypatch.undo()
    g = gray.astype(np.float32)
    for quality, curve in zip(compression.GHOST_QUALITIES, curves):
        ok, encoded = cv2.imencode(".jpg", gray, [cv2.IMWRITE_JPEG_QUALITY, quality])
        resaved = cv2.imdecode(encoded, cv2.IMREAD_GRAYSCALE).astype(np.float32)
        assert np.array_equal(curve, block_reduce((g - resaved) ** 2, compression.BLOCK)), quality


def test_the_pipelines_warm_up_also_parses_the_id_number_region_table(monkeypatch):
    import stdnum.numdb

    from credlift.tools import pipeline

    monkeypatch.setattr(stdnum.numdb, "_open_databases", {})
    pipeline.warm_up()
    assert "cn/loc" in stdnum.numdb._open_databases  # read by every ID-number check on the first upload otherwise
