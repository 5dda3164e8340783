"""Training the edit-trace network (signals/trace.py) on generated forgeries, and exporting it to ONNX.

Patches of 64x64 pixels are cut on the file's JPEG grid: around every tamper box (several placements each)
and, as the untouched class, around ink and at random elsewhere, from forged and honest images alike. The
target is one label per 8x8 block: inside a box (1), away from it (0), on its border (not counted). Torch is
needed here only (the `train` extra); the app runs the exported ONNX file on onnxruntime.
"""
from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import cv2
import numpy as np

from credlift.training.forensics.dataset import _single_threaded, read_labels
from credlift.tools.forensics.signals.base import forget_model
from credlift.tools.forensics.signals.trace import NETWORK_PATH, STRIDE, network_input, scaled_planes

PATCH = 64
EDIT_KINDS = ("copy_move", "splice", "retype", "erase")
NEGATIVES_PER_IMAGE = 16
POSITIVES_PER_BOX = 10


def _block_targets(shape: tuple[int, int], boxes: list) -> np.ndarray:
    """Per 8x8 block: 1 inside a box (at least half covered), 0 clear of every box, -1 on a border."""
    from credlift.training.forensics.training import _box_cover

    hb, wb = shape[0] // STRIDE, shape[1] // STRIDE
    cover = _box_cover(shape, boxes, 1.0, STRIDE, hb, wb)
    targets = np.full((hb, wb), -1, np.int8)
    near = cv2.dilate((cover > 0).astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    targets[~near] = 0
    targets[cover >= 0.5] = 1
    return targets


def _origin(centre_x: float, centre_y: float, width: int, height: int, rng: np.random.Generator) -> tuple[int, int]:
    """A patch origin on the 8-pixel grid that keeps (centre_x, centre_y) inside, jittered, within the image."""
    x = centre_x - PATCH / 2 + rng.uniform(-PATCH / 3, PATCH / 3)
    y = centre_y - PATCH / 2 + rng.uniform(-PATCH / 3, PATCH / 3)
    x = int(np.clip(round(x / STRIDE) * STRIDE, 0, width - PATCH))
    y = int(np.clip(round(y / STRIDE) * STRIDE, 0, height - PATCH))
    return x, y


def _no_patches() -> tuple[np.ndarray, np.ndarray]:
    return np.zeros((0, 3, PATCH, PATCH), np.uint8), np.zeros((0, PATCH // STRIDE, PATCH // STRIDE), np.int8)


def _training_image(path: Path, kind: str, boxes: list) -> tuple[np.ndarray, np.ndarray] | None:
    """(RGB on the file's grid, cropped to whole blocks; block targets) of one training image, or None when
    intake refuses it or it is smaller than a patch."""
    from credlift.training.forensics.training import _training_context

    ctx = _training_context(path)
    if ctx is None:
        return None
    rgb, _ = ctx.grid_rgb
    height, width = (rgb.shape[0] // STRIDE) * STRIDE, (rgb.shape[1] // STRIDE) * STRIDE
    if min(height, width) < PATCH:
        return None
    edited = kind in EDIT_KINDS and bool(boxes)
    return rgb[:height, :width], _block_targets((height, width), boxes if edited else [])


def _around(boxes: list, width: int, height: int, rng: np.random.Generator) -> list[tuple[int, int]]:
    """Patch origins around each box: one per 24x24 px of it, at least 4, at most POSITIVES_PER_BOX."""
    origins = []
    for x, y, w, h in boxes:
        for _ in range(int(np.clip(w * h / (24 * 24), 4, POSITIVES_PER_BOX))):
            origins.append(_origin(x + rng.uniform(0, w), y + rng.uniform(0, h), width, height, rng))
    return origins


def image_patches(job: tuple) -> tuple[np.ndarray, np.ndarray]:
    """(patches uint8 (n, 3, 64, 64) in YCrCb, block targets int8 (n, 8, 8)) of one training image."""
    path, kind, boxes, fields, seed = job
    image = _training_image(path, kind, boxes)
    if image is None:
        return _no_patches()
    rgb, targets = image
    height, width = rgb.shape[:2]
    rng = np.random.default_rng(seed)
    origins = _around(boxes, width, height, rng) if kind in EDIT_KINDS and boxes else []
    # untouched values, sampled like edited ones: an edit, not a value, is sought
    origins += _around(fields, width, height, rng)
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    paper = cv2.dilate(gray, np.ones((7, 7), np.uint8)).astype(np.int16)
    ink_y, ink_x = np.nonzero((paper - gray) > 40)
    for index in range(NEGATIVES_PER_IMAGE):
        if len(ink_x) and index % 4 != 3:  # three in four around text, where edits hide
            pick = int(rng.integers(len(ink_x)))
            origins.append(_origin(ink_x[pick], ink_y[pick], width, height, rng))
        else:
            origins.append(_origin(rng.uniform(0, width), rng.uniform(0, height), width, height, rng))
    return _cut(rgb, targets, origins)


def hard_negatives(job: tuple) -> tuple[np.ndarray, np.ndarray]:
    """Patches around the blocks of one image that the current network wrongly flags most (clear of any box)."""
    from credlift.tools.forensics.signals.base import load_model
    from credlift.tools.forensics.signals.trace import _session_from, block_probabilities

    path, kind, boxes, _, seed, model_path, count = job
    image = _training_image(path, kind, boxes)
    if image is None:
        return _no_patches()
    rgb, targets = image
    height, width = rgb.shape[:2]
    probability = block_probabilities(load_model(model_path, loader=_session_from), rgb)
    probability[targets != 0] = 0.0
    rng = np.random.default_rng(seed)
    origins = []
    for flat in np.argsort(probability.reshape(-1))[::-1][:count * 4]:
        by, bx = divmod(int(flat), probability.shape[1])
        if probability[by, bx] < 0.2 or len(origins) >= count:
            break
        origin = _origin((bx + 0.5) * STRIDE, (by + 0.5) * STRIDE, width, height, rng)
        if all(abs(origin[0] - x) >= PATCH // 2 or abs(origin[1] - y) >= PATCH // 2 for x, y in origins):
            origins.append(origin)
    return _cut(rgb, targets, origins) if origins else _no_patches()


def _cut(rgb: np.ndarray, targets: np.ndarray, origins: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    ycrcb = cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2YCrCb)
    patches = np.stack([ycrcb[y:y + PATCH, x:x + PATCH].transpose(2, 0, 1) for x, y in origins])
    labels = np.stack([targets[y // STRIDE:(y + PATCH) // STRIDE, x // STRIDE:(x + PATCH) // STRIDE]
                       for x, y in origins])
    return patches, labels


def _untouched_fields(label) -> list[tuple[int, int, int, int]]:
    """The printed values of a labelled image that no tamper box overlaps."""
    def overlaps(a, b) -> bool:
        return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]

    return [f for f in label.field_boxes.values()
            if f[2] > 0 and f[3] > 0 and not any(overlaps(f, b) for b in label.tamper_boxes)]


def _jobs(data_dirs: list[Path]) -> list[tuple]:
    """(path, kind, tamper boxes, untouched value boxes, seed) per usable image of the generated sets."""
    labels = [label for data_dir in data_dirs for label in read_labels(data_dir) if label.tamper_kind != "ai_generated"]
    return [(label.path, label.tamper_kind, label.tamper_boxes, _untouched_fields(label), index)
            for index, label in enumerate(labels)]


def _pooled(function, jobs: list[tuple], workers: int | None) -> tuple[np.ndarray, np.ndarray]:
    workers = workers or max(1, min(4, os.cpu_count() or 1))
    # spawn, not fork: the trainer holds torch's and onnxruntime's threads, and a forked child can inherit a held lock
    with ProcessPoolExecutor(max_workers=workers, initializer=_single_threaded,
                             mp_context=multiprocessing.get_context("spawn")) as pool:
        parts = [part for part in pool.map(function, jobs, chunksize=4) if len(part[0])]
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def mine_hard_negatives(data_dirs: list[Path], model_path: Path, per_image: int = 8, workers: int | None = None,
                        log=print) -> tuple[np.ndarray, np.ndarray]:
    jobs = [(*job, model_path, per_image) for job in _jobs(data_dirs)]
    patches, labels = _pooled(hard_negatives, jobs, workers)
    log(f"trace network: {len(patches)} hard negatives mined from {len(jobs)} images")
    return patches, labels


def collect_patches(data_dirs: list[Path], workers: int | None = None, log=print) -> tuple[np.ndarray, np.ndarray]:
    jobs = _jobs(data_dirs)
    patches, labels = _pooled(image_patches, jobs, workers)
    log(f"trace network: {len(patches)} patches from {len(jobs)} images, "
        f"{int((labels == 1).sum())} edited blocks of {int((labels >= 0).sum())} counted")
    return patches, labels


def build_network():
    """The trace network: full-resolution residual filters, three stride-2 stages, a dilated context layer,
    one logit per 8x8 block (about 60 pixels of receptive field)."""
    from torch import nn

    def stage(c_in: int, c_out: int, stride: int = 1, dilation: int = 1) -> list:
        return [nn.Conv2d(c_in, c_out, 3, stride=stride, padding=dilation, dilation=dilation, bias=False),
                nn.BatchNorm2d(c_out), nn.ReLU(inplace=True)]

    return nn.Sequential(
        nn.Conv2d(3, 12, 3, padding=1), nn.ReLU(inplace=True),
        *stage(12, 24, stride=2), *stage(24, 32),
        *stage(32, 48, stride=2), *stage(48, 48),
        *stage(48, 64, stride=2), *stage(64, 64, dilation=2),
        nn.Conv2d(64, 1, 1))


def _as_input(patches: np.ndarray):
    import torch

    return torch.from_numpy(scaled_planes(patches))


def fit_network(patches: np.ndarray, labels: np.ndarray, epochs: int = 4, batch: int = 64, seed: int = 0,
                log=print, net=None, max_lr: float = 3e-3):
    """AdamW with a one-cycle schedule on the block-wise binary cross-entropy (border blocks masked out);
    continues training `net` when one is given."""
    import torch

    torch.manual_seed(seed)
    net = net if net is not None else build_network()
    positives = float((labels == 1).sum())
    negatives = float((labels == 0).sum())
    pos_weight = torch.tensor(min(10.0, negatives / max(positives, 1.0)))
    steps = epochs * (len(patches) // batch)
    optimiser = torch.optim.AdamW(net.parameters(), lr=max_lr, weight_decay=1e-4)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, max_lr=max_lr, total_steps=max(1, steps))
    rng = np.random.default_rng(seed)
    started = time.time()
    net.train()
    for epoch in range(epochs):
        order = rng.permutation(len(patches))
        total, count = 0.0, 0
        for start in range(0, len(order) - batch + 1, batch):
            index = np.sort(order[start:start + batch])
            x = _as_input(patches[index])
            y = torch.from_numpy(labels[index]).float()
            weight = (y >= 0).float()
            logits = net(x)[:, 0]
            loss = torch.nn.functional.binary_cross_entropy_with_logits(
                logits, y.clamp(min=0), weight=weight, pos_weight=pos_weight, reduction="sum") / weight.sum().clamp(min=1)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
            total += float(loss.detach()) * len(index)
            count += len(index)
        log(f"  epoch {epoch + 1}/{epochs}: loss {total / max(count, 1):.4f} ({time.time() - started:.0f} s)")
    net.eval()
    return net


def export_onnx(net, out: Path) -> None:
    import torch

    out.parent.mkdir(parents=True, exist_ok=True)
    example = torch.zeros(1, 3, 128, 128)
    torch.onnx.export(net, example, str(out), dynamo=False, input_names=["planes"], output_names=["logits"],
                      dynamic_axes={"planes": {2: "height", 3: "width"}, "logits": {2: "rows", 3: "cols"}},
                      opset_version=17)
    forget_model(out)


def train_trace_network(data_dirs: list[Path], out: Path = NETWORK_PATH, epochs: int = 6, mining_rounds: int = 3,
                        workers: int | None = None, log=print) -> dict:
    """Patches from the generated sets; a first fit; then rounds of hard-negative mining (the blocks of the
    training images the network wrongly flags most) each followed by a gentler fit on everything so far.
    The network is exported to ONNX at `out` after every stage; returns the training card."""
    import torch

    torch.set_num_threads(max(1, os.cpu_count() or 1))
    started = time.time()
    patches, labels = collect_patches(data_dirs, workers, log)
    first = len(patches)
    net = fit_network(patches, labels, epochs=epochs, log=log)
    export_onnx(net, out)
    for _ in range(mining_rounds):
        hard, hard_labels = mine_hard_negatives(data_dirs, out, workers=workers, log=log)
        patches, labels = np.concatenate([patches, hard]), np.concatenate([labels, hard_labels])
        net = fit_network(patches, labels, epochs=max(1, epochs // 2), net=net, max_lr=1e-3, log=log)
        export_onnx(net, out)
    card = {"path": out.name, "trained_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "data": [Path(d).name for d in data_dirs], "patches": first, "hard_negatives": int(len(patches) - first),
            "edited_blocks": int((labels == 1).sum()), "counted_blocks": int((labels >= 0).sum()),
            "epochs": epochs, "mining_rounds": mining_rounds, "seconds": round(time.time() - started, 1),
            "torch": torch.__version__}
    out.with_suffix(".json").write_text(json.dumps(card, indent=2), encoding="utf-8")
    return card


def check_input_layout() -> bool:
    """The training input and the run-time input are the same planes (guards against drift)."""
    rng = np.random.default_rng(0)
    rgb = rng.integers(0, 256, (16, 16, 3), dtype=np.uint8)
    ycrcb = cv2.cvtColor(rgb, cv2.COLOR_RGB2YCrCb).transpose(2, 0, 1)[None]
    return bool(np.allclose(_as_input(ycrcb).numpy()[0], network_input(rgb), atol=1e-5))
