"""The edit-trace network: its training data, its training and ONNX export, and the shipped network at work."""
from __future__ import annotations

import json

import numpy as np
import pytest

from credlift.evals.synth import SynthSpec, generate_dataset, render_credential
from credlift.tools.forensics.context import AnalysisContext
from credlift.tools.forensics.signals.trace import (INT8_PATH, NETWORK_PATH, STRIDE, TraceNetSignal,
                                                         configured_path, summarise)
from credlift.training.forensics.trace_training import PATCH, check_input_layout, collect_patches, image_patches
from credlift.tools.intake import load_upload


@pytest.fixture(scope="module")
def small_set(tmp_path_factory):
    out = tmp_path_factory.mktemp("trace-set")
    generate_dataset(out, n=6, seed=77, capture="scan", tamper_rate=1.0, tamper_kinds=["retype", "erase"], workers=1)
    return out


def test_training_input_and_runtime_input_are_the_same_planes():
    assert check_input_layout()


def test_patches_label_the_blocks_inside_the_tamper_box_and_sample_untouched_values(small_set):
    row = json.loads((small_set / "labels.jsonl").read_text(encoding="utf-8").splitlines()[0])
    x, y, w, h = row["tamper_boxes"][0]
    fields = [tuple(b) for name, b in row["field_boxes"].items() if name not in row["tampered_fields"]]
    patches, labels = image_patches((small_set / row["file"], row["tamper_kind"], [(x, y, w, h)], fields, 0))
    assert patches.shape[1:] == (3, PATCH, PATCH) and patches.dtype == np.uint8
    assert labels.shape == (len(patches), PATCH // STRIDE, PATCH // STRIDE)
    assert (labels == 1).any() and (labels == 0).any() and (labels == -1).any()  # edited, clear, border
    untouched = image_patches((small_set / row["file"], "none", [], fields, 0))[1]
    assert len(untouched) > 0 and not (untouched == 1).any()  # an honest page has no edited block


def test_the_network_trains_exports_to_onnx_and_runs_as_a_signal(small_set, tmp_path):
    from credlift.training.forensics.trace_training import export_onnx, fit_network  # torch and onnx: the train extra

    patches, labels = collect_patches([small_set], workers=1, log=lambda *_: None)
    assert len(patches) > 50 and (labels == 1).sum() > 0
    net = fit_network(patches[:128], labels[:128], epochs=1, batch=32, log=lambda *_: None)
    model = tmp_path / "trace.onnx"
    export_onnx(net, model)
    path = next(small_set.glob("*.jpg"), None) or next(small_set.glob("*.png"))
    ctx = AnalysisContext(upload=load_upload(path))
    report = TraceNetSignal(model).analyse(ctx)
    assert report.details["trained"] and 0.0 <= report.score <= 1.0
    assert ctx.heatmaps["trace"].shape == ctx.shape


def test_an_untrained_network_reports_nothing_instead_of_failing(tmp_path):
    generate_dataset(tmp_path / "one", n=1, seed=5, capture="scan", workers=1)
    path = next((tmp_path / "one").glob("*.*g"))
    report = TraceNetSignal(tmp_path / "missing.onnx").analyse(AnalysisContext(upload=load_upload(path)))
    assert report.score == 0.0 and report.details["trained"] is False


def test_the_shipped_network_locates_an_erased_line():
    assert NETWORK_PATH.exists(), "tools/forensics/models/trace_net.onnx ships with the package"
    sample = render_credential(SynthSpec(type="qualification", seed=2, capture="scan", tamper="erase"))
    ctx = AnalysisContext(upload=load_upload(sample.image_bytes, f"erased.{sample.extension}"))
    report = TraceNetSignal().analyse(ctx)
    x, y, w, h = sample.label["tamper_boxes"][0]
    heat = ctx.heatmaps["trace"]
    assert heat[y:y + h, x:x + w].mean() > 0.7 and heat.mean() < 0.2, (heat[y:y + h, x:x + w].mean(), heat.mean())
    largest = report.boxes[0]
    assert largest.x < x + w and x < largest.x + largest.w and largest.y < y + h and y < largest.y + largest.h


def _trace_score(path) -> float:
    return TraceNetSignal().analyse(AnalysisContext(upload=load_upload(path))).score


def test_a_forked_worker_runs_the_network_its_parent_already_loaded(small_set):
    """onnxruntime's threads do not survive fork: each process must open its own session (evaluate and train
    fork worker pools after the parent has analysed an image)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    path = next(small_set.glob("*.jpg"), None) or next(small_set.glob("*.png"))
    parent = _trace_score(path)
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
        child = pool.submit(_trace_score, path).result(timeout=1800)
    assert abs(child - parent) < 1e-5


def _probabilities(model_path, rgb):
    import onnxruntime as ort

    from credlift.tools.forensics.signals import trace

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])
    return trace.block_probabilities(session, rgb)


def test_the_8_bit_network_is_the_trained_one_in_integers():
    """The int8 network (settings.trace_precision) is the trained float network quantized: the figures the fusion
    reads stay within what quantization moves (on 30 varied pages: page score by 0.003 at the median, 0.05 at most),
    an edit is still found, and the card says how it was made."""
    import onnx

    from credlift.settings import Settings

    # float32 unless a deployment chooses int8
    assert Settings().trace_precision == "float32" and configured_path() == NETWORK_PATH and INT8_PATH.exists()
    graph = onnx.load(str(INT8_PATH)).graph
    assert any(node.op_type == "DequantizeLinear" for node in graph.node)  # integer weights, not a copy
    assert INT8_PATH.stat().st_size < NETWORK_PATH.stat().st_size / 2
    card = json.loads(NETWORK_PATH.with_suffix(".json").read_text(encoding="utf-8"))
    assert card["int8"]["path"] == INT8_PATH.name and card["int8"]["from"] == NETWORK_PATH.name
    assert card["int8"]["calibration"]["pages"] >= 8
    differences = []
    for seed, tamper in ((3, "retype"), (4, "none"), (5, "erase")):
        sample = render_credential(SynthSpec(type="cet4", seed=seed, capture="photo", tamper=tamper))
        ctx = AnalysisContext(upload=load_upload(sample.image_bytes, f"page.{sample.extension}"))
        grid, _ = ctx.grid_rgb
        float_figures = summarise(_probabilities(NETWORK_PATH, grid))
        int8_figures = summarise(_probabilities(INT8_PATH, grid))
        differences.append(max(abs(float_figures[key] - int8_figures[key])
                               for key in ("score", "max_prob", "top_mean", "mean_prob")))
        if tamper != "none":
            assert int8_figures["score"] > 0.5 and float_figures["score"] > 0.5
    assert max(differences) < 0.08, differences


def test_the_settings_choose_the_networks_precision(monkeypatch):
    import os

    from credlift.settings import reset_settings_cache
    from credlift.tools.forensics.signals import base, trace

    sample = render_credential(SynthSpec(type="cet4", seed=3, capture="photo", tamper="retype"))
    reports = {}
    for precision in ("float32", "int8"):
        monkeypatch.setenv("CREDLIFT_TRACE_PRECISION", precision)
        reset_settings_cache()
        assert trace.configured_path() == (INT8_PATH if precision == "int8" else NETWORK_PATH)
        signal = TraceNetSignal()
        signal.prepare()
        assert any(path == str(trace.configured_path()) and pid == os.getpid() for path, pid in base._models)
        ctx = AnalysisContext(upload=load_upload(sample.image_bytes, f"page.{sample.extension}"))
        reports[precision] = signal.analyse(ctx)
    monkeypatch.delenv("CREDLIFT_TRACE_PRECISION")
    reset_settings_cache()
    assert reports["float32"].score > 0.5 and reports["int8"].score > 0.5
    assert reports["float32"].details != reports["int8"].details  # two networks ran, not one twice


def test_quantizing_a_network_gives_one_that_runs_as_the_signal(small_set, tmp_path):
    from credlift.training.forensics.dataset import read_labels
    from credlift.training.forensics.trace_quantize import quantize_trace_network

    network = tmp_path / "trace.onnx"
    network.write_bytes(NETWORK_PATH.read_bytes())
    out = tmp_path / "trace.int8.onnx"
    pages = [label.path for label in read_labels(small_set)]
    entry = quantize_trace_network(pages, network=network, out=out, crops=2, log=lambda *_: None)
    assert out.exists() and entry["calibration"]["pages"] == 2
    assert json.loads(network.with_suffix(".json").read_text(encoding="utf-8"))["int8"] == entry
    ctx = AnalysisContext(upload=load_upload(pages[0]))
    report = TraceNetSignal(out).analyse(ctx)
    assert report.details["trained"] and 0.0 <= report.score <= 1.0
