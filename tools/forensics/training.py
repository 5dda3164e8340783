"""Training the fusion model on generated sets (never the evaluation seed 202, never extraction's 101)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import cv2
import numpy as np
import sklearn
from sklearn.model_selection import StratifiedKFold

from credlift.tools.forensics.dataset import analyse_many, read_labels
from credlift.tools.forensics.evaluation import slice_metrics
from credlift.tools.forensics.features import FEATURE_NAMES, feature_vector
from credlift.tools.forensics.fusion import DEFAULT_MODEL_PATH, MODEL_VERSION, FusionModel, with_decisive_evidence

# the first seed trains the block detector, the others the fusion (kept apart so the fusion sees honest outputs)
TRAIN_SEEDS = (1000, 1001)
VALIDATION_SEED = None
RESERVED_SEEDS = {202: "the authenticity evaluation set", 101: "extraction's evaluation set"}
# authentic images flagged in out-of-fold predictions; below the 3% promised, to leave room for a fresh set
TARGET_FPR = 0.015


def ensure_generated(root: Path, seed: int, n: int, tamper_rate: float = 0.5) -> Path:
    """A generated set for `seed` under root (made once; reused after)."""
    if seed in RESERVED_SEEDS:
        from credlift.errors import UserInputError

        raise UserInputError(f"seed {seed} is reserved for {RESERVED_SEEDS[seed]}; choose another training seed")
    existing = sorted(p for p in root.glob(f"synth-{seed}-n*") if (p / "labels.jsonl").exists())
    if existing:
        return existing[0]
    out = root / f"synth-{seed}-n{n}"
    if not (out / "labels.jsonl").exists():
        from credlift.evals.synth import generate_dataset

        from credlift.evals.synth.tamper import TAMPER_KINDS

        # all kinds, AI generation included, so the model has seen every forgery it is asked about
        generate_dataset(out, n=n, seed=seed, capture="mixed", tamper_rate=tamper_rate, tamper_kinds=list(TAMPER_KINDS))
    return out


def features_of(data_dir: Path, workers: int | None = None) -> tuple[np.ndarray, np.ndarray, list]:
    labels = read_labels(data_dir)
    analyses = analyse_many([label.path for label in labels], workers=workers)
    keep = [i for i, a in enumerate(analyses) if not a.error]
    X = np.stack([feature_vector(analyses[i].signals) for i in keep])
    y = np.array([labels[i].is_manipulated for i in keep], dtype=np.int64)
    return X, y, [labels[i] for i in keep], [analyses[i].signals for i in keep]


def out_of_fold_scores(X: np.ndarray, y: np.ndarray, params: dict) -> np.ndarray:
    scores = np.zeros(len(y))
    for train, test in StratifiedKFold(n_splits=5, shuffle=True, random_state=0).split(X, y):
        scores[test] = FusionModel(**params).fit(X[train], y[train]).predict_proba(X[test])[:, 1]
    return scores


def choose_thresholds(scores: np.ndarray, y: np.ndarray, target_fpr: float = TARGET_FPR) -> tuple[float, float]:
    """(threshold, tampered threshold): the lowest threshold that keeps authentic false positives under target;
    above the second, 99% of what is flagged was manipulated (the 'tampered' band, the rest is 'suspicious')."""
    authentic = np.sort(scores[y == 0])
    threshold = float(np.quantile(authentic, 1.0 - target_fpr)) + 1e-6 if authentic.size else 0.5
    threshold = min(max(threshold, 0.05), 0.95)
    tampered = threshold
    for candidate in np.linspace(threshold, 0.99, 60):
        flagged = scores >= candidate
        if flagged.any() and y[flagged].mean() >= 0.99:
            tampered = float(candidate)
            break
    return threshold, max(tampered, threshold)


def train_fusion(work_dir: Path, n_per_seed: int = 400, seeds: tuple[int, ...] = TRAIN_SEEDS,
                 validation_seed: int | None = VALIDATION_SEED, out: Path = DEFAULT_MODEL_PATH,
                 workers: int | None = None, log=print) -> dict:
    """Generate (once) the training sets, fit the block detector on the first and the fusion on the others,
    choose thresholds from out-of-fold predictions, optionally validate, save model and card."""
    if len(seeds) < 2:
        from credlift.errors import UserInputError

        raise UserInputError("training needs two seeds: one for the block detector, one or more for the fusion")
    block_dir = ensure_generated(work_dir, seeds[0], n_per_seed)
    log(f"block detector on {block_dir} ...")
    block_card = train_block_model(block_dir, workers=workers, log=log)
    parts_X, parts_y, fusion_labels, fusion_signals = [], [], [], []
    for seed in seeds[1:]:
        directory = ensure_generated(work_dir, seed, n_per_seed)
        log(f"features of {directory} ...")
        X, y, seed_labels, seed_signals = features_of(directory, workers)
        fusion_signals += seed_signals
        parts_X.append(X)
        parts_y.append(y)
        fusion_labels.append(seed_labels)
    X, y = np.concatenate(parts_X), np.concatenate(parts_y)
    model = FusionModel()
    params = model.get_params()
    log(f"fitting on {len(y)} images ({int(y.sum())} manipulated) ...")
    oof = out_of_fold_scores(X, y, params)
    oof = np.array([with_decisive_evidence(p, a) for p, a in zip(oof, fusion_signals)])
    threshold, tampered = choose_thresholds(oof, y)
    model.set_params(threshold=threshold, tampered_threshold=tampered)
    model.fit(X, y)
    model.version_ = MODEL_VERSION
    oof_labels = [label for seed_labels in fusion_labels for label in seed_labels]
    card = {
        "model": "FusionModel (standardised logistic regression, Platt-calibrated over 5 folds; noisy-OR with decisive metadata/AI evidence)",
        "version": MODEL_VERSION,
        "trained_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "sklearn": sklearn.__version__,
        "training_seeds": list(seeds),
        "block_detector_seed": seeds[0],
        "block_detector": block_card,
        "fusion_seeds": list(seeds[1:]),
        "images_per_seed": n_per_seed,
        "training_images": int(len(y)),
        "training_manipulated": int(y.sum()),
        "features": list(FEATURE_NAMES),
        "threshold": round(threshold, 6),
        "tampered_threshold": round(tampered, 6),
        "threshold_rule": f"out-of-fold false-positive rate on authentic images <= {TARGET_FPR}",
        "reserved_seeds_never_used": sorted(RESERVED_SEEDS),
        "out_of_fold": slice_metrics(oof_labels, oof, threshold).model_dump(),
    }
    if validation_seed is not None:
        directory = ensure_generated(work_dir, validation_seed, n_per_seed // 2)
        log(f"validating on {directory} ...")
        Xv, yv, labels, _ = features_of(directory, workers)
        card["validation_seed"] = validation_seed
        card["validation"] = slice_metrics(labels, model.predict_proba(Xv)[:, 1], threshold).model_dump()
    model.save(out, card)
    return card


# ---------------------------------------------------------------------- the learned block detector

LOCAL_KINDS = ("copy_move", "splice", "retype", "erase")
NEGATIVE_SHARE = 0.06


def block_rows(label_path: tuple) -> tuple[np.ndarray, np.ndarray]:
    """Block features and labels of one training image (edited blocks 1, untouched 0, borders dropped)."""
    from credlift.tools.forensics.context import AnalysisContext
    from credlift.tools.forensics.evaluation import box_mask
    from credlift.tools.forensics.signals.local import BLOCK, block_features
    from credlift.tools.intake import load_upload

    path, kind, boxes, seed = label_path
    try:
        upload = load_upload(path)
    except Exception:  # intake refusals are not training material
        return np.zeros((0, 40), np.float32), np.zeros(0, np.int8)
    ctx = AnalysisContext(upload=upload)
    features = block_features(ctx.work_rgb)
    hb, wb, k = features.shape
    rng = np.random.default_rng(seed)
    if kind in LOCAL_KINDS and boxes:
        mask = box_mask(ctx.work_gray.shape, boxes, ctx.work_scale).astype(np.float32)
        cover = mask[: hb * BLOCK, : wb * BLOCK].reshape(hb, BLOCK, wb, BLOCK).mean(axis=(1, 3))
        near = cv2.dilate((cover > 0).astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
        positive = cover >= 0.25
        negative = ~near & (rng.random((hb, wb)) < NEGATIVE_SHARE)
    else:
        positive = np.zeros((hb, wb), bool)
        negative = rng.random((hb, wb)) < NEGATIVE_SHARE
    rows = np.concatenate([features[positive], features[negative]])
    labels = np.concatenate([np.ones(int(positive.sum()), np.int8), np.zeros(int(negative.sum()), np.int8)])
    return rows, labels


def train_block_model(data_dir: Path, out: Path | None = None, workers: int | None = None, log=print) -> dict:
    """Fits the local block detector on one generated set (kept apart from the fusion's training set)."""
    import os
    from concurrent.futures import ProcessPoolExecutor

    import joblib
    from sklearn.ensemble import HistGradientBoostingClassifier

    from credlift.tools.forensics.dataset import _single_threaded
    from credlift.tools.forensics.signals.local import MODEL_PATH, _model_cache

    labels = [label for label in read_labels(data_dir) if label.tamper_kind != "ai_generated"]
    jobs = [(label.path, label.tamper_kind, label.tamper_boxes, index) for index, label in enumerate(labels)]
    workers = workers or max(1, min(4, os.cpu_count() or 1))
    with ProcessPoolExecutor(max_workers=workers, initializer=_single_threaded) as pool:
        parts = list(pool.map(block_rows, jobs, chunksize=4))
    X = np.concatenate([p[0] for p in parts])
    y = np.concatenate([p[1] for p in parts])
    log(f"block detector: {len(y)} blocks, {int(y.sum())} edited, from {len(labels)} images")
    model = HistGradientBoostingClassifier(max_iter=300, learning_rate=0.08, max_leaf_nodes=31,
                                           l2_regularization=1.0, class_weight="balanced", random_state=0)
    model.fit(X, y)
    path = out or MODEL_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, path, compress=3)
    _model_cache.pop(str(path), None)
    return {"blocks": int(len(y)), "edited_blocks": int(y.sum()), "images": len(labels), "path": str(path)}
