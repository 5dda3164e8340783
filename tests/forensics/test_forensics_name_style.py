"""The holder-name style check: a name typed over in a near-match font is found where OCR read it; the same
certificate as printed is not flagged; the check abstains without text and never quotes the name."""
from __future__ import annotations

import numpy as np
import pytest

from credlift.domain.credential import OcrLine
from credlift.evals.synth.generate import SynthSpec, render_credential
from credlift.tools.extraction.ocr import run_ocr
from credlift.tools.forensics import assess_authenticity
from credlift.tools.forensics.context import AnalysisContext
from credlift.training.forensics.name_style_training import fit_name_model
from credlift.tools.forensics.signals.base import DECISIVE_FROM, reported_score
from credlift.tools.forensics.signals.name_style import NameStyleSignal, locate_name
from credlift.tools.intake import load_upload

# a graduation certificate whose holder's name the generator retypes (and the same page as printed)
RETYPED_NAME = SynthSpec(type="graduation", seed=1, capture="scan", tamper="retype")


def _read(data: bytes, extension: str):
    upload = load_upload(data, f"page.{extension}")
    return upload, run_ocr(upload.rgb)


@pytest.fixture(scope="module")
def sample():
    return render_credential(RETYPED_NAME)


def _signal(report):
    return next(s for s in report.signals if s.name == "name_style")


def test_the_name_is_cut_out_of_its_line_by_character_position():
    lines = [OcrLine(text="学生张三，男，一九九八年三月十二日生", box=(100, 50, 360, 30)),
             OcrLine(text="姓名：李四", box=(100, 120, 100, 30))]
    assert locate_name(lines, "李四", 1) == ((160, 120, 40, 30), True)
    # a sentence layout's parser gives no line: the line holding the name is found
    assert locate_name(lines, "张三", None) == ((140, 50, 40, 30), True)  # 18 characters, 20 px each
    assert locate_name(lines, "王五", None) is None


def test_the_reported_score_is_decisive_from_the_cut_only():
    assert reported_score(0.0, 0.2) == 0.0
    assert reported_score(0.19, 0.2) < 0.6 < DECISIVE_FROM == reported_score(0.2, 0.2)
    assert reported_score(1.0, 0.2) == pytest.approx(0.95)


def test_the_cut_flags_half_a_percent_of_untouched_names_out_of_fold():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(600, 5))
    y = (X[:, 0] + 0.1 * rng.normal(size=600) > 1.2).astype(int)
    artifact, figures = fit_name_model(X, y)
    assert figures["oof_roc_auc"] > 0.9 and figures["edited"] == int(y.sum())
    assert figures["oof_untouched_flagged"] <= 0.01 and figures["oof_recall_at_cut"] > 0.5
    assert artifact["model"].predict_proba(X[:3]).shape == (3, 2)


def test_without_the_page_text_the_check_abstains(sample):
    upload, _ = _read(sample.image_bytes, sample.extension)
    signal = NameStyleSignal().analyse(AnalysisContext(upload=upload))
    assert signal.score == 0.0 and signal.details == {"checked": False}


def test_a_retyped_name_is_found_where_it_is_printed_and_flags_the_page(sample, data_dir):
    upload, lines = _read(sample.image_bytes, sample.extension)
    assert "holder_name" in sample.label["tampered_fields"]
    report = assess_authenticity(upload, ocr_lines=lines, data_dir=data_dir)
    signal = _signal(report)
    assert signal.details["checked"] is True and signal.score >= DECISIVE_FROM
    name = str(sample.label["tampered_fields"]["holder_name"])
    assert name not in signal.summary and "name" in signal.summary
    tx, ty, tw, th = (v * upload.scale for v in sample.label["tamper_boxes"][0])
    assert any(b.x < tx + tw and tx < b.x + b.w and b.y < ty + th and ty < b.y + b.h for b in signal.boxes)
    assert report.verdict in ("suspicious", "tampered") and "name_style" in report.drivers


def test_the_same_page_as_printed_is_not_flagged(sample, data_dir):
    upload, lines = _read(sample.pristine_bytes, sample.pristine_extension)
    signal = _signal(assess_authenticity(upload, ocr_lines=lines, data_dir=data_dir))
    assert signal.details["checked"] is True and signal.score < DECISIVE_FROM and signal.boxes == []


def test_the_shipped_name_model_was_trained_on_what_the_defaults_name():
    import json
    import re

    from credlift.training.forensics.seeds import NAME_FROM_TRAIN, NAME_SEEDS, RESERVED_SEEDS, TRAIN_SEEDS
    from credlift.tools.forensics.signals.name_style import MODEL_PATH

    card = json.loads(MODEL_PATH.with_suffix(".json").read_text())
    seeds = [int(re.match(r"synth-(\d+)-n\d+", name).group(1)) for name in card["data"]]
    assert seeds == [*NAME_SEEDS, *TRAIN_SEEDS[:NAME_FROM_TRAIN]] and not set(seeds) & set(RESERVED_SEEDS)
    assert card["oof_untouched_flagged"] <= 0.01 and 0 < card["cut"] < 1


def test_training_reads_each_page_with_ocr_and_ships_a_model_the_signal_loads(tmp_path, sample):
    import json

    from credlift.evals.synth import generate_dataset
    from credlift.training.forensics.name_style_training import name_rows, save_name_model

    rows = generate_dataset(tmp_path / "set", n=10, seed=7, types=["graduation", "degree"], capture="scan",
                            tamper_rate=0.6, tamper_kinds=["retype"], workers=1)
    X, y = name_rows([tmp_path / "set"], workers=1, log=lambda _: None)
    names_edited = sum("holder_name" in row["tampered_fields"] for row in rows)
    assert 0 < names_edited and X.shape == (len(y), 57) and 0 < int(y.sum()) <= names_edited and len(y) >= 8
    # a model and card written where the signal reads them
    rng = np.random.default_rng(1)
    Xs = np.vstack([X, rng.normal(size=(40, X.shape[1]))])
    ys = np.concatenate([y, np.zeros(40, int)])
    artifact, figures = fit_name_model(Xs, ys, folds=2)
    out = tmp_path / "models" / "name_style.joblib"
    card = save_name_model(artifact, figures, [tmp_path / "set"], out, log=lambda _: None)
    assert json.loads(out.with_suffix(".json").read_text())["cut"] == card["cut"] and card["data"] == ["set"]
    upload, lines = _read(sample.image_bytes, sample.extension)
    signal = NameStyleSignal(model_path=out).analyse(AnalysisContext(upload=upload, ocr_lines=lines))
    assert signal.details["checked"] is True and 0.0 <= signal.score <= 0.95


class _Probabilities:
    """A stand-in for the compiled trees: the probability of row i is row i's first feature."""

    def predict_proba(self, X):
        return np.column_stack([1 - X[:, 0], X[:, 0]])


@pytest.mark.parametrize("honest_high,raised", [(0.60, True), (0.30, False)])
def test_calibration_raises_the_cut_over_honest_names_and_never_lowers_it(tmp_path, monkeypatch, honest_high,
                                                                           raised):
    import hashlib
    import json

    import joblib

    from credlift.training.forensics import name_style_training
    from credlift.tools.forensics.signals.name_style import MODEL_PATH

    shipped = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in (MODEL_PATH, MODEL_PATH.with_suffix(".json"))}
    shipped_artifact = joblib.load(MODEL_PATH)
    trained_cut = float(shipped_artifact.get("trained_cut", shipped_artifact["cut"]))
    # 300 honest names, the top 3 at `honest_high`; 20 edited names at 0.9
    honest = np.concatenate([np.full(297, 0.1), np.full(3, honest_high)])
    probability = np.concatenate([honest, np.full(20, 0.9)])
    y = np.concatenate([np.zeros(300, int), np.ones(20, int)])
    monkeypatch.setattr(name_style_training, "name_rows", lambda dirs, workers, log: (probability[:, None], y))
    monkeypatch.setattr("credlift.tools.forensics.signals.base.load_trees",
                        lambda path: {"model": _Probabilities(), "cut": trained_cut})
    card = name_style_training.calibrate_name_style([tmp_path / "set-a"], out=tmp_path / "cards" / "name_style.json",
                                                    log=lambda _: None)
    assert card["trained_cut"] == pytest.approx(trained_cut)
    if raised:
        assert card["cut"] > honest_high and card["calibration_untouched_flagged"] == 0.0
        assert card["calibration_untouched_flagged_at_trained_cut"] == pytest.approx(0.01)
    else:
        assert card["cut"] == pytest.approx(trained_cut)  # honest names all under it: the trained cut stands
    assert card["calibration_recall_at_cut"] == 1.0 and card["calibration_data"] == ["set-a"]
    written = joblib.load(tmp_path / "cards" / "name_style.joblib")
    assert written["cut"] == card["cut"] and written["trained_cut"] == pytest.approx(trained_cut)
    assert json.loads((tmp_path / "cards" / "name_style.json").read_text())["cut"] == card["cut"]
    assert {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in shipped} == shipped  # the shipped pair untouched


def test_the_cut_flags_at_most_the_share_asked():
    from credlift.training.forensics.name_style_training import cut_flagging_at_most

    honest = np.linspace(0.0, 0.99, 200)  # 0.5% of 200: one name may be at or over the cut
    cut = cut_flagging_at_most(honest, 0.005)
    assert (honest >= cut).sum() == 1 and (honest >= cut - 2e-4).sum() == 2
    assert (np.full(50, 0.3) >= cut_flagging_at_most(np.full(50, 0.3), 0.005)).sum() == 0


def test_the_shipped_cut_was_calibrated_on_sets_apart_from_the_evaluation_seeds():
    import json

    from credlift.training.forensics.seeds import RESERVED_SEEDS
    from credlift.tools.forensics.signals.name_style import MODEL_PATH

    card = json.loads(MODEL_PATH.with_suffix(".json").read_text())
    assert card["cut"] >= card["trained_cut"] and card["calibration_untouched_flagged"] <= 0.005
    assert not any(str(seed) in name for name in card["calibration_data"] for seed in (*RESERVED_SEEDS, 9601, 9602))
