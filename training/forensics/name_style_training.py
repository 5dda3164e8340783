"""Training the holder-name style model (signals/name_style.py) on generated certificates.

Every page is read as the app reads it (intake, OCR, the extraction parsers); where a holder's name is found, its
printed style against the page is one row, labelled edited when the generator retyped or spliced the name. The
model is a small gradient-boosted tree ensemble; its cut is the out-of-fold score that flags 0.5% of the names
left as printed (honest pages and pages edited elsewhere), so the finding can be decisive evidence.
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np

from credlift.tools.forensics.context import AnalysisContext
from credlift.training.forensics.dataset import LabelledImage, parallel_map, read_labels
from credlift.tools.forensics.signals.name_style import MODEL_PATH, measure_name

NAME_EDITS = ("retype", "splice")
HONEST_FLAGGED = 0.005
PARAMS = {"max_depth": 3, "learning_rate": 0.05, "max_iter": 200, "min_samples_leaf": 10, "l2_regularization": 1.0}


def name_edited(label: LabelledImage) -> bool:
    return label.tamper_kind in NAME_EDITS and "holder_name" in label.tampered_fields


def name_row(job: tuple[Path, bool]) -> tuple[np.ndarray, int] | None:
    """(features, edited) of one generated page, read as the app reads it; None when intake refuses it or no name
    is found."""
    from credlift.errors import UnsupportedFileError
    from credlift.tools.extraction.ocr import run_ocr
    from credlift.tools.intake import load_upload

    path, edited = job
    try:
        upload = load_upload(path)
    except UnsupportedFileError:
        return None
    measured = measure_name(AnalysisContext(upload=upload, ocr_lines=run_ocr(upload.rgb)))
    return None if measured is None else (measured[0], int(edited))


def name_rows(data_dirs: list[Path], workers: int | None = None, log=print) -> tuple[np.ndarray, np.ndarray]:
    jobs = [(label.path, name_edited(label)) for data_dir in data_dirs for label in read_labels(data_dir)
            if label.tamper_kind != "ai_generated"]
    rows = parallel_map(name_row, jobs, workers)
    found = [row for row in rows if row is not None]
    if not found:
        from credlift.errors import UserInputError

        raise UserInputError("no holder's name was found on any training page")
    X = np.stack([row[0] for row in found])
    y = np.array([row[1] for row in found], np.int64)
    log(f"name style: {len(found)} names read on {len(jobs)} pages, {int(y.sum())} of them edited")
    return X, y


def fit_name_model(X: np.ndarray, y: np.ndarray, folds: int = 5) -> tuple[dict, dict]:
    """(artifact {model, cut}, figures) : the cut from out-of-fold scores of the names left as printed."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    if y.sum() < folds or (y == 0).sum() < folds:
        from credlift.errors import UserInputError

        raise UserInputError(f"too few edited ({int(y.sum())}) or untouched ({int((y == 0).sum())}) names to train on")
    oof = cross_val_predict(HistGradientBoostingClassifier(**PARAMS, random_state=0), X, y,
                            cv=StratifiedKFold(folds, shuffle=True, random_state=0), method="predict_proba")[:, 1]
    cut = float(np.quantile(oof[y == 0], 1.0 - HONEST_FLAGGED))
    model = HistGradientBoostingClassifier(**PARAMS, random_state=0).fit(X, y)
    figures = {"names": int(len(y)), "edited": int(y.sum()), "oof_roc_auc": round(float(roc_auc_score(y, oof)), 4),
               "cut": round(cut, 4), "oof_recall_at_cut": round(float((oof[y == 1] >= cut).mean()), 4),
               "oof_untouched_flagged": round(float((oof[y == 0] >= cut).mean()), 4)}
    return {"model": model, "cut": cut}, figures


def train_name_model(data_dirs: list[Path], out: Path = MODEL_PATH, workers: int | None = None, log=print) -> dict:
    X, y = name_rows(data_dirs, workers, log)
    artifact, figures = fit_name_model(X, y)
    return save_name_model(artifact, figures, data_dirs, out, log)


def save_name_model(artifact: dict, figures: dict, data_dirs: list[Path], out: Path = MODEL_PATH, log=print) -> dict:
    """The artifact (joblib) and its card (JSON beside it)."""
    import joblib
    import sklearn

    from credlift.tools.forensics.signals.base import forget_model

    out.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(artifact, out)
    card = {"path": out.name, "trained_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "data": [d.name for d in data_dirs],
            "data_made_with": ("what `credlift forensics train` generates: the name seeds with `credlift synth --n 400 "
                               "--capture mixed --tamper-rate 0.6 --tamper-kinds retype,splice`, then the first "
                               "training seeds as generated for the fusion"),
            "params": PARAMS, "honest_flagged_target": HONEST_FLAGGED,
            "sklearn": sklearn.__version__, **figures}
    out.with_suffix(".json").write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    forget_model(out)
    log(f"name style: out-of-fold ROC-AUC {figures['oof_roc_auc']}, recall {figures['oof_recall_at_cut']} "
        f"at cut {figures['cut']}")
    return card


def cut_flagging_at_most(honest: np.ndarray, share: float) -> float:
    """The smallest cut (4 decimals) at which at most `share` of the honest probabilities are at or over it."""
    ordered = np.sort(np.asarray(honest, np.float64))[::-1]
    allowed = int(np.floor(share * ordered.size))
    return 0.0 if allowed >= ordered.size else float(np.floor(ordered[allowed] * 1e4) + 1) / 1e4


def calibrate_name_style(data_dirs: list[Path], out: Path | None = None, workers: int | None = None,
                         log=print) -> dict:
    """Re-sets the shipped model's cut on these sets without refitting it: the smallest cut that flags at most
    `HONEST_FLAGGED` of the names left as printed (honest pages and pages edited elsewhere), never below the cut
    chosen out of fold at training. The generator has grown since the model was fitted (new types, scans and
    scanner-app captures); its out-of-fold 0.5% did not hold on their honest names. `out` is the card's path
    (name_style.json; the artifact is written beside it as .joblib); by default the shipped pair."""
    import joblib

    from credlift.tools.forensics.signals.base import forget_model, load_trees, write_card

    card_path = Path(out) if out is not None else MODEL_PATH.with_suffix(".json")
    model_out = card_path.with_suffix(".joblib")
    artifact = joblib.load(MODEL_PATH)
    trained_cut = float(artifact.get("trained_cut", artifact["cut"]))
    X, y = name_rows(data_dirs, workers, log)
    probability = load_trees(MODEL_PATH)["model"].predict_proba(X)[:, 1]
    honest, edited = probability[y == 0], probability[y == 1]
    cut = max(trained_cut, cut_flagging_at_most(honest, HONEST_FLAGGED))
    model_out.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump({**artifact, "cut": cut, "trained_cut": trained_cut}, model_out)
    forget_model(model_out)
    card = json.loads(MODEL_PATH.with_suffix(".json").read_text(encoding="utf-8"))
    card.update({"path": model_out.name, "cut": cut, "trained_cut": trained_cut,
                 "cut_rule": f"at most {HONEST_FLAGGED:.1%} of names left as printed flagged on the calibration sets, "
                             "never below the out-of-fold cut of training",
                 "calibration_data": [d.name for d in data_dirs], "calibration_names": int(y.size),
                 "calibration_names_edited": int(y.sum()),
                 "calibration_untouched_flagged": round(float((honest >= cut).mean()), 4),
                 "calibration_untouched_flagged_at_trained_cut": round(float((honest >= trained_cut).mean()), 4),
                 "calibration_recall_at_cut": round(float((edited >= cut).mean()), 4) if edited.size else None,
                 "calibration_recall_at_trained_cut":
                     round(float((edited >= trained_cut).mean()), 4) if edited.size else None})
    write_card(card_path, card)
    log(f"  name-style cut {trained_cut:.4f} -> {cut:.4f}: names left as printed flagged "
        f"{card['calibration_untouched_flagged_at_trained_cut']} -> {card['calibration_untouched_flagged']}, "
        f"edited names caught {card['calibration_recall_at_trained_cut']} -> {card['calibration_recall_at_cut']}")
    return card
