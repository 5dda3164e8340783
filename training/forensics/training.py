"""Training the fusion model on generated sets (never the evaluation seed 202, never extraction's 101)."""
from __future__ import annotations

import datetime as dt
from functools import partial
from pathlib import Path

import cv2
import numpy as np
import sklearn
from sklearn.model_selection import StratifiedKFold

from credlift.training.forensics.dataset import parallel_map, read_labels
from credlift.training.forensics.evaluation import box_mask, slice_metrics
from credlift.tools.forensics.features import FEATURE_NAMES, feature_vector
from credlift.tools.forensics.fusion import DEFAULT_MODEL_PATH, MODEL_VERSION, FusionModel, with_decisive_evidence
from credlift.training.forensics.seeds import (DECISIVE_CHECKS, FUSION_SEEDS, NAME_FROM_TRAIN, NAME_SEEDS,
                                           NAME_TAMPER_KINDS, NAME_TAMPER_RATE, RESERVED_SEEDS, TRACE_SEEDS,
                                           TRACE_TAMPER_RATE, TRAIN_SEEDS, VARIED_SEEDS)

VALIDATION_SEED = None
# authentic images flagged in out-of-fold predictions; below the 3% promised, to leave room for a fresh set and
# for the content check's own false positives (1 of 590 honest training pages)
TARGET_FPR = 0.02
# fusion estimators tried; the one with the best out-of-fold ROC-AUC is kept
ESTIMATORS = ("logistic", "trees")


def refuse_reserved(seeds) -> None:
    """Training never touches an evaluation seed."""
    reserved = [seed for seed in seeds if seed in RESERVED_SEEDS]
    if reserved:
        from credlift.errors import UserInputError

        raise UserInputError(f"seed {reserved[0]} is reserved for {RESERVED_SEEDS[reserved[0]]}; choose another training seed")


def ensure_generated(root: Path, seed: int, n: int, tamper_rate: float = 0.5,
                     kinds: tuple[str, ...] | None = None, capture: str = "mixed") -> Path:
    """A generated set for `seed` under root (made once; reused after); every kind, AI generation included,
    unless `kinds` narrows it; captured as `capture` draws (mixed: scans, photos, screenshots; varied: also scanner
    apps, PDF renders and after-chains)."""
    refuse_reserved((seed,))
    stem = f"synth-{seed}-" if capture == "mixed" else f"synth-{seed}-{capture}-"
    existing = sorted(p for p in root.glob(f"{stem}n*") if (p / "labels.jsonl").exists())
    if existing:
        return existing[0]
    out = root / f"{stem}n{n}"
    if not (out / "labels.jsonl").exists():
        from credlift.evals.synth import generate_dataset

        from credlift.evals.synth.tamper import TAMPER_KINDS

        # all kinds, AI generation included, so the model has seen every forgery it is asked about
        generate_dataset(out, n=n, seed=seed, capture=capture, tamper_rate=tamper_rate,
                         tamper_kinds=list(kinds or TAMPER_KINDS))
    return out


def features_of(data_dir: Path, workers: int | None = None,
                cache_dir: Path | None = None) -> tuple[np.ndarray, np.ndarray, list]:
    """The set's feature rows, labels and signal reports (images that failed left out). With `cache_dir`, each
    image's analysis is read from the analysis cache when kept there, else computed and kept (a refit with other
    sets or another estimator then analyses only what is new)."""
    from credlift.training.forensics.analysis_cache import cached_analysis

    labels = read_labels(data_dir)
    # without a cache directory cached_analysis analyses every page (pixels only), as analyse_many does
    analyses = parallel_map(partial(cached_analysis, cache_dir=cache_dir, read_text=False),
                            [label.path for label in labels], workers)
    keep = [i for i, a in enumerate(analyses) if not a.error]
    X = np.stack([feature_vector(analyses[i].signals) for i in keep])
    y = np.array([labels[i].is_manipulated for i in keep], dtype=np.int64)
    return X, y, [labels[i] for i in keep], [analyses[i].signals for i in keep]


def out_of_fold_scores(X: np.ndarray, y: np.ndarray, params: dict) -> np.ndarray:
    scores = np.zeros(len(y))
    for train, test in StratifiedKFold(n_splits=5, shuffle=True, random_state=0).split(X, y):
        scores[test] = FusionModel(**params).fit(X[train], y[train]).predict_proba(X[test])[:, 1]
    return scores


def choose_estimator(X: np.ndarray, y: np.ndarray, signals: list, log=print) -> tuple[FusionModel, np.ndarray, dict]:
    """Each candidate estimator scored out of fold (decisive evidence applied as at inference); the best
    ROC-AUC wins. Returns the unfitted winner, its out-of-fold scores and every candidate's AUC."""
    from sklearn.metrics import roc_auc_score

    scores, comparison = {}, {}
    for estimator in ESTIMATORS:
        oof = out_of_fold_scores(X, y, FusionModel(estimator=estimator).get_params())
        scores[estimator] = np.array([with_decisive_evidence(p, s) for p, s in zip(oof, signals)])
        comparison[estimator] = round(float(roc_auc_score(y, scores[estimator])), 4)
        log(f"  {estimator}: out-of-fold ROC-AUC {comparison[estimator]}")
    best = max(comparison, key=comparison.get)  # the first listed wins a tie
    return FusionModel(estimator=best), scores[best], comparison


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
                 workers: int | None = None, log=print, trace_seeds: tuple[int, ...] = TRACE_SEEDS,
                 name_seeds: tuple[int, ...] = NAME_SEEDS, fusion_seeds: tuple[int, ...] = FUSION_SEEDS,
                 varied_seeds: tuple[int, ...] = VARIED_SEEDS, keep_detectors: bool = False,
                 cache_dir: Path | None = None) -> dict:
    """Generate (once) the training sets; fit the block and grid detectors on the first seed, the edit-trace
    network on the trace seeds and the holder-name style model on the name seeds (none: keep the shipped ones);
    set the photo-margin and seal-ink cuts on all training sets; fit the fusion on the fusion seeds (mixed captures)
    and the varied seeds (captures as varied as life, after-chains included), thresholds from out-of-fold
    predictions; optionally validate; save model and card. `keep_detectors`: refit the fusion alone, on the shipped
    detectors, models and cuts (the card keeps what it says of them). `cache_dir`: the fusion's and the validation's
    analyses kept there and read back (training/forensics/analysis_cache.py)."""
    from credlift.errors import UserInputError

    if not seeds:
        raise UserInputError("training needs at least one detector seed (the block detector's)")
    if not (fusion_seeds or varied_seeds):
        raise UserInputError("the fusion needs at least one set: give fusion seeds or varied seeds")
    if seeds[0] in (*fusion_seeds, *varied_seeds):
        raise UserInputError(f"seed {seeds[0]} trains the block detector; the fusion must learn on other sets")
    refuse_reserved((*seeds, *trace_seeds, *name_seeds, *fusion_seeds, *varied_seeds))  # before any work
    shipped = shipped_card()  # what is kept of the shipped models: all of them, or the trace network
    if keep_detectors:
        seeds, block_card = tuple(shipped["training_seeds"]), shipped["block_detector"]
        log("keeping the shipped detectors, models and cuts; refitting the fusion only")
    else:
        block_card = train_detectors(work_dir, n_per_seed, seeds, workers, log, trace_seeds, name_seeds)
    fusion_dirs = ([ensure_generated(work_dir, seed, n_per_seed) for seed in fusion_seeds]
                   + [ensure_generated(work_dir, seed, n_per_seed, capture="varied") for seed in varied_seeds])
    parts_X, parts_y, fusion_labels, fusion_signals = [], [], [], []
    for directory in fusion_dirs:
        log(f"features of {directory} ...")
        X, y, seed_labels, seed_signals = features_of(directory, workers, cache_dir)
        fusion_signals += seed_signals
        parts_X.append(X)
        parts_y.append(y)
        fusion_labels.append(seed_labels)
    X, y = np.concatenate(parts_X), np.concatenate(parts_y)
    oof_labels = [label for seed_labels in fusion_labels for label in seed_labels]
    model, card = fit_fusion(X, y, oof_labels, fusion_signals, seeds, n_per_seed, block_card, log)
    card.update(fusion_seeds=list(fusion_seeds), varied_seeds=list(varied_seeds),
                fusion_sets=", ".join(directory.name for directory in fusion_dirs))
    kept_network = keep_detectors or not trace_seeds
    card["trace_seeds"] = shipped.get("trace_seeds", []) if kept_network else list(trace_seeds)
    if validation_seed is not None:
        directory = ensure_generated(work_dir, validation_seed, n_per_seed // 2)
        log(f"validating on {directory} ...")
        Xv, yv, labels, _ = features_of(directory, workers, cache_dir)
        card["validation_seed"] = validation_seed
        card["validation"] = slice_metrics(labels, model.predict_proba(Xv)[:, 1], model.threshold).model_dump()
    model.save(out, card)
    return card


def shipped_card() -> dict:
    """The shipped model's card: what a fusion-only fit keeps of the detectors, models and cuts."""
    import json

    from credlift.tools.forensics.fusion import DEFAULT_CARD_PATH

    return json.loads(DEFAULT_CARD_PATH.read_text(encoding="utf-8"))


def train_detectors(work_dir: Path, n_per_seed: int, seeds: tuple[int, ...], workers: int | None, log,
                    trace_seeds: tuple[int, ...], name_seeds: tuple[int, ...]) -> dict:
    """The block and grid detectors on the first seed, the trace network and the name model on their seeds (none:
    keep the shipped ones), the decisive cuts on all training sets; returns their card."""
    block_dir = ensure_generated(work_dir, seeds[0], n_per_seed)
    log(f"block detector on {block_dir} ...")
    block_card = train_block_model(block_dir, workers=workers, log=log)
    block_card["grid"] = train_grid_model(block_dir, workers=workers, log=log)
    if trace_seeds:
        from credlift.training.forensics.trace_training import EDIT_KINDS, train_trace_network

        trace_dirs = [ensure_generated(work_dir, seed, n_per_seed, TRACE_TAMPER_RATE, EDIT_KINDS) for seed in trace_seeds]
        log(f"edit-trace network on {', '.join(d.name for d in trace_dirs)} ...")
        block_card["trace"] = train_trace_network(trace_dirs, workers=workers, log=log)
        from credlift.training.forensics.trace_quantize import calibration_pages, quantize_trace_network

        # the 8-bit network (settings.trace_precision "int8") follows the new one
        block_card["trace"]["int8"] = quantize_trace_network(calibration_pages(trace_dirs), log=log)
    if name_seeds:
        from credlift.training.forensics.name_style_training import train_name_model

        name_dirs = [ensure_generated(work_dir, seed, n_per_seed, NAME_TAMPER_RATE, NAME_TAMPER_KINDS)
                     for seed in name_seeds] + [ensure_generated(work_dir, seed, n_per_seed)
                                                for seed in seeds[:NAME_FROM_TRAIN]]
        log(f"holder-name style model on {', '.join(d.name for d in name_dirs)} ...")
        block_card["name_style"] = train_name_model(name_dirs, workers=workers, log=log)
    # before the fusion's analysis, which applies the decisive findings at these cuts
    block_card.update(calibrate_decisive_cuts([ensure_generated(work_dir, seed, n_per_seed) for seed in seeds],
                                              workers, log))
    return block_card


def calibrate_decisive_cuts(data_dirs: list[Path], workers: int | None = None, log=print,
                            checks: tuple[str, ...] = DECISIVE_CHECKS, cards_dir: Path | None = None) -> dict:
    """Set the cuts of the decisive checks measured on whole pages (photo margin, seal ink) on these sets; writes
    their cards (<check>.json) to `cards_dir`, by default next to the shipped models; returns them by name."""
    from credlift.tools.forensics.signals.registry import calibrator

    check_names(checks)
    cards = {}
    for check in checks:
        log(f"{check.replace('_', '-')} cut on {', '.join(d.name for d in data_dirs)} ...")
        out = {} if cards_dir is None else {"out": Path(cards_dir) / f"{check}.json"}
        cards[check] = calibrator(check)(data_dirs, workers=workers, log=log, **out)
    return cards


def check_names(checks: tuple[str, ...]) -> None:
    """Refuses names that are not decisive page checks (before any set is generated)."""
    unknown = sorted(set(checks) - set(DECISIVE_CHECKS))
    if unknown or not checks:
        from credlift.errors import UserInputError

        raise UserInputError(f"no such check: {', '.join(unknown) or '(none given)'} "
                             f"(known: {', '.join(DECISIVE_CHECKS)})")


def fit_fusion(X: np.ndarray, y: np.ndarray, labels: list, signals: list, seeds: tuple[int, ...], n_per_seed: int,
               block_card: dict, log=print) -> tuple[FusionModel, dict]:
    """Fusion on ready features: estimator and thresholds from out-of-fold scores, then the fit on all.
    Returns the model and its card (the caller saves them)."""
    log(f"fitting on {len(y)} images ({int(y.sum())} manipulated) ...")
    model, oof, comparison = choose_estimator(X, y, signals, log)
    threshold, tampered = choose_thresholds(oof, y)
    model.set_params(threshold=threshold, tampered_threshold=tampered)
    model.fit(X, y)
    model.version_ = MODEL_VERSION
    card = {
        "model": f"FusionModel(estimator={model.estimator!r}), calibrated over 5 folds; noisy-OR with decisive metadata, AI and content-consistency evidence",
        "estimator_out_of_fold_roc_auc": comparison,
        "version": MODEL_VERSION,
        "trained_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "sklearn": sklearn.__version__,
        "training_seeds": list(seeds),
        "block_detector_seed": seeds[0],
        "block_detector": block_card,
        "images_per_seed": n_per_seed,
        "training_images": int(len(y)),
        "training_manipulated": int(y.sum()),
        "features": list(FEATURE_NAMES),
        "threshold": round(threshold, 6),
        "tampered_threshold": round(tampered, 6),
        "threshold_rule": f"out-of-fold false-positive rate on authentic images <= {TARGET_FPR}",
        "reserved_seeds_never_used": sorted(RESERVED_SEEDS),
        "out_of_fold": slice_metrics(labels, oof, threshold).model_dump(),
    }
    return model, card


# ---------------------------------------------------------------------- the learned block detector

LOCAL_KINDS = ("copy_move", "splice", "retype", "erase")
NEGATIVE_SHARE = 0.06


def labelled_cells(features: np.ndarray, cover: np.ndarray, edited: bool,
                   rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Training rows of one image's cell features: cells at least a quarter inside a tamper box are edited (1),
    a sample of cells away from any box untouched (0); cells on a box's border are left out."""
    if edited:
        near = cv2.dilate((cover > 0).astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
        positive = cover >= 0.25
        negative = ~near & (rng.random(cover.shape) < NEGATIVE_SHARE)
    else:
        positive = np.zeros(cover.shape, bool)
        negative = rng.random(cover.shape) < NEGATIVE_SHARE
    rows = np.concatenate([features[positive], features[negative]])
    labels = np.concatenate([np.ones(int(positive.sum()), np.int8), np.zeros(int(negative.sum()), np.int8)])
    return rows, labels


def _box_cover(shape: tuple[int, int], boxes: list, scale: float, cell: int, hb: int, wb: int) -> np.ndarray:
    mask = box_mask(shape, boxes, scale).astype(np.float32)
    return mask[: hb * cell, : wb * cell].reshape(hb, cell, wb, cell).mean(axis=(1, 3))


def _training_context(path: Path):
    from credlift.tools.forensics.context import AnalysisContext
    from credlift.tools.intake import load_upload

    try:
        return AnalysisContext(upload=load_upload(path))
    except Exception:  # intake refusals are not training material
        return None


def block_rows(job: tuple) -> tuple[np.ndarray, np.ndarray]:
    """Rows of the local block detector for one training image (features on the working copy)."""
    from credlift.tools.forensics.signals.local import BLOCK, block_features

    path, kind, boxes, seed = job
    ctx = _training_context(path)
    if ctx is None:
        return np.zeros((0, 40), np.float32), np.zeros(0, np.int8)
    features = block_features(ctx.work_rgb)
    hb, wb, _ = features.shape
    cover = _box_cover(ctx.work_gray.shape, boxes, ctx.work_scale, BLOCK, hb, wb)
    return labelled_cells(features, cover, kind in LOCAL_KINDS and bool(boxes), np.random.default_rng(seed))


def grid_rows(job: tuple) -> tuple[np.ndarray, np.ndarray]:
    """Rows of the compression-history cell detector for one training image (features on the file's grid)."""
    from credlift.tools.forensics.signals.grid import CELL, analysed_cells

    path, kind, boxes, seed = job
    ctx = _training_context(path)
    features = analysed_cells(ctx) if ctx is not None else None
    if features is None:
        return np.zeros((0, 0), np.float32), np.zeros(0, np.int8)
    hb, wb, _ = features.shape
    grid, _ = ctx.grid_rgb
    cover = _box_cover(grid.shape[:2], boxes, 1.0, CELL, hb, wb)  # labels and grid are both in file pixels
    return labelled_cells(features, cover, kind in LOCAL_KINDS and bool(boxes), np.random.default_rng(seed))


def _fit_cell_detector(data_dir: Path, rows_of, path: Path, what: str, workers: int | None, log) -> dict:
    """Rows from every image of a generated set (AI-generated ones excluded: they have no local edit),
    a class-balanced gradient-boosted classifier, saved with joblib (and re-read by the signal from then on)."""
    import joblib
    from sklearn.ensemble import HistGradientBoostingClassifier

    from credlift.tools.forensics.signals.base import forget_model

    labels = [label for label in read_labels(data_dir) if label.tamper_kind != "ai_generated"]
    jobs = [(label.path, label.tamper_kind, label.tamper_boxes, index) for index, label in enumerate(labels)]
    parts = [part for part in parallel_map(rows_of, jobs, workers or None) if len(part[1])]
    X = np.concatenate([p[0] for p in parts])
    y = np.concatenate([p[1] for p in parts])
    log(f"{what}: {len(y)} cells, {int(y.sum())} edited, from {len(labels)} images")
    model = HistGradientBoostingClassifier(max_iter=300, learning_rate=0.08, max_leaf_nodes=31,
                                           l2_regularization=1.0, class_weight="balanced", random_state=0)
    model.fit(X, y)
    path.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, path, compress=3)
    forget_model(path)
    return {"blocks": int(len(y)), "edited_blocks": int(y.sum()), "images": len(labels), "path": path.name}


def train_block_model(data_dir: Path, out: Path | None = None, workers: int | None = None, log=print) -> dict:
    """Fits the local block detector on one generated set (kept apart from the fusion's training set)."""
    from credlift.tools.forensics.signals.local import MODEL_PATH

    return _fit_cell_detector(data_dir, block_rows, out or MODEL_PATH, "block detector", workers, log)


def train_grid_model(data_dir: Path, out: Path | None = None, workers: int | None = None, log=print) -> dict:
    """Fits the compression-history cell detector on one generated set (the block detector's set)."""
    from credlift.tools.forensics.signals.grid import MODEL_PATH

    return _fit_cell_detector(data_dir, grid_rows, out or MODEL_PATH, "grid cell detector", workers, log)
