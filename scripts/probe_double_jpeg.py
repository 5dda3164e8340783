"""Does a double-JPEG localisation map separate real edited pages from their quality-matched twins?

A probe outside the product (issue 24), after Bianchi & Piva, "Image forgery localization via block-grained analysis
of JPEG artifacts" (IEEE TIFS 2012): an untouched area of a page that was a JPEG before it was cropped and saved
again keeps the first compression's quantisation lattice on the first compression's 8x8 grid (non-aligned: shifted
by the crop, NA-DJPG; aligned: A-DJPG), an edited area (rendered text, paper fill, a patch pasted at another offset)
does not. Per page:

1. luma of the decoded file on its own grid; for each of the 64 grid shifts, the 8x8 DCT of the same sample of
   blocks (SAMPLE) at that shift, and per low-frequency mode k (15, zigzag) and step q (2..20) the periodicity
   |mean exp(2 pi i c / q)|; its excess over the median of the shifts of the same kind (off the file's grid on both
   axes, or aligned on one axis: those see part of the file's own Q2 lattice) is the evidence of a lattice there.
   Only shifts off the file's grid on both axes are candidates (non-aligned double compression: NA-DJPG; the
   aligned case is not judged). The candidate with the most excess is the first grid; per mode, Q1_k is the
   largest step whose excess is near that mode's best, and the lattice's spread sigma_k follows from the
   periodicity (a wrapped normal: |mean exp(2 pi i c / q)| = exp(-2 pi^2 sigma^2 / q^2)).
2. Presence: that shift's total excess as a robust z over the other candidates'; below PRESENCE_Z the page shows
   no double compression and its score is 0 (neutral: PNG/TIF originals, a single JPEG).
3. Per block on that grid: the log-likelihood ratio "on the Q1 lattice (wrapped normal)" vs "locally uniform",
   summed over the modes with evidence, averaged over 2x2 blocks; the score is the largest summed deficit of a
   connected area below -BOUND, with its box.

Measures: ROC-AUC of the page score on the quality-matched pairs (edited vs its untouched twin: same crop, same
quality), per source; an oracle check (the map's mean inside the labelled box vs the same box on the twin, with
`--oracle` on the true first grid as the build's crop placed it); the share of untouched pages over a cut; the same
on generated pages (`--generated DIR`: page ROC-AUC, tampered vs not).

    nice -n 19 .venv/bin/python scripts/probe_double_jpeg.py --real /work/cache/real/devset2 --split dev
    nice -n 19 .venv/bin/python scripts/probe_double_jpeg.py --real /work/cache/real/devset2 --split dev \
        --pairs-only --oracle
    nice -n 19 .venv/bin/python scripts/probe_double_jpeg.py --generated /work/cache/gen-9602 --flag 500
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

ZIGZAG = [(0, 0), (0, 1), (1, 0), (2, 0), (1, 1), (0, 2), (0, 3), (1, 2), (2, 1), (3, 0), (4, 0), (3, 1), (2, 2),
          (1, 3), (0, 4)]
MODES = ZIGZAG[:15]
STEPS = np.arange(2, 21)
SAMPLE = 3000
PRESENCE_Z = 6.0
BOUND = 0.4
MODE_EXCESS = 0.05


def dct_matrix() -> np.ndarray:
    t = np.zeros((8, 8))
    for u in range(8):
        for x in range(8):
            t[u, x] = (np.sqrt(1 / 8) if u == 0 else np.sqrt(2 / 8)) * np.cos((2 * x + 1) * u * np.pi / 16)
    return t


T = dct_matrix()


def luma_of(path: Path) -> np.ndarray:
    """The decoded file's luma (JPEG's weights), as float, on the file's own grid."""
    with Image.open(path) as image:
        rgb = np.asarray(image.convert("RGB"), np.float64)
    return 0.299 * rgb[..., 0] + 0.587 * rgb[..., 1] + 0.114 * rgb[..., 2]


def blocks_dct(y: np.ndarray, sy: int, sx: int) -> np.ndarray:
    """(hb, wb, 8, 8) DCT of the 8x8 blocks starting at (sy, sx), JPEG's orthonormal DCT of (pixel - 128)."""
    part = y[sy:, sx:]
    hb, wb = part.shape[0] // 8, part.shape[1] // 8
    b = (part[: hb * 8, : wb * 8] - 128.0).reshape(hb, 8, wb, 8).swapaxes(1, 2)
    return np.einsum("ux,hwxy,vy->hwuv", T, b, T, optimize=True)


def usable_blocks(c: np.ndarray) -> np.ndarray:
    """Blocks not clipped to black/white (clipping breaks the lattice) and with some texture."""
    dc = c[..., 0, 0] / 8 + 128
    ac = np.abs(c).sum(axis=(2, 3)) - np.abs(c[..., 0, 0])
    return (dc > 10) & (dc < 245) & (ac > 4)


def periodicity(values: np.ndarray) -> np.ndarray:
    """|mean exp(2 pi i v / q)| per step q: (modes, steps)."""
    phase = 2 * np.pi * values[:, :, None] / STEPS[None, None, :]
    return np.abs(np.exp(1j * phase).mean(axis=0))


def analyse(y: np.ndarray, rng: np.random.Generator, truth: tuple[int, int] | None = None,
            sample: int = SAMPLE) -> dict:
    """The page's map and score; `truth` (sy, sx) forces the first grid (oracle), the steps are still read."""
    h, w = y.shape
    hb, wb = (h - 8) // 8, (w - 8) // 8
    if hb < 8 or wb < 8:
        return {"present": 0.0, "score": 0.0, "map": None}
    # the same sample of block positions for every shift (content the same, only the lattice differs)
    ref = blocks_dct(y, 0, 0)[:hb, :wb]
    ok = np.argwhere(usable_blocks(ref))
    if len(ok) < 50:
        return {"present": 0.0, "score": 0.0, "map": None}
    pick = ok[rng.choice(len(ok), size=min(sample, len(ok)), replace=False)]
    rows, cols = pick[:, 0], pick[:, 1]
    per_shift = np.zeros((64, len(MODES), len(STEPS)))
    for s in range(64):
        sy, sx = divmod(s, 8)
        ys = rows[:, None, None] * 8 + sy + np.arange(8)[None, :, None]
        xs = cols[:, None, None] * 8 + sx + np.arange(8)[None, None, :]
        b = y[ys, xs] - 128.0
        c = np.einsum("ux,nxy,vy->nuv", T, b, T, optimize=True)
        vals = np.stack([c[:, u, v] for u, v in MODES], axis=1)
        per_shift[s] = periodicity(vals)
    # the baseline is the median over shifts of the same kind: a shift aligned with the file's own grid along one
    # axis sees part of the file's own Q2 lattice, whatever the page's history
    kinds = np.array([(s // 8 == 0) * 2 + (s % 8 == 0) for s in range(64)])
    excess = np.zeros_like(per_shift)
    for kind in (1, 2, 0):
        members = np.flatnonzero(kinds == kind)
        excess[members] = per_shift[members] - np.median(per_shift[members], axis=0)[None]
    excess[0] = 0.0  # the file's own grid always shows its own Q2 lattice: non-aligned double compression only
    # candidates: shifts off the file's grid on both axes (a shift aligned on one axis sees part of the file's own
    # Q2 lattice and reads as a lattice whatever the page's history; aligned double compression is not judged)
    candidates = np.flatnonzero(kinds == 0)
    best_per_mode = excess[candidates].max(axis=2)  # (49, modes)
    totals = best_per_mode.sum(axis=1)
    s_best = int(candidates[int(np.argmax(totals))])
    others = np.delete(totals, int(np.argmax(totals)))
    spread = max(float(np.median(np.abs(others - np.median(others)))) * 1.4826, 1e-3)
    present = float((totals.max() - np.median(others)) / spread)
    q1, sigma, used = [], [], []
    if truth is not None:  # oracle: the first grid as the crop placed it; steps still read from the page
        s_best = truth[0] * 8 + truth[1]
    for k in range(len(MODES)):
        e = excess[s_best, k]
        peak = e.max()
        j = int(max(i for i in range(len(STEPS)) if e[i] >= 0.7 * peak)) if peak > 0 else 0
        r = float(per_shift[s_best, k, j])
        q1.append(int(STEPS[j]))
        # a wrapped normal around the lattice: |mean exp(2 pi i c / q)| = exp(-2 pi^2 sigma^2 / q^2)
        sigma.append(float(STEPS[j] * np.sqrt(-np.log(max(min(r, 0.999), 1e-6)) / (2 * np.pi ** 2))))
        used.append(e[j] > MODE_EXCESS)
    sy, sx = divmod(s_best, 8)
    c = blocks_dct(y, sy, sx)
    llr = np.zeros(c.shape[:2])
    for k, (u, v) in enumerate(MODES):
        if not used[k]:
            continue
        q, sd = q1[k], max(sigma[k], 0.15 * q1[k])
        wrapped = np.mod(c[..., u, v] + q / 2, q) - q / 2
        density = sum(np.exp(-0.5 * ((wrapped - n * q) / sd) ** 2) for n in (-1, 0, 1)) / (sd * np.sqrt(2 * np.pi))
        llr += np.log(np.maximum(density * q, 1e-3))  # against a locally uniform coefficient (density 1/q)
    usable = usable_blocks(c)
    f0 = np.where(usable, llr, 0.0)
    n0 = usable.astype(np.float64)
    k2 = np.ones((2, 2))
    num = cv2.filter2D(f0, -1, k2, anchor=(0, 0), borderType=cv2.BORDER_CONSTANT)
    den = cv2.filter2D(n0, -1, k2, anchor=(0, 0), borderType=cv2.BORDER_CONSTANT)
    smooth = np.where(den >= 2, num / np.maximum(den, 1), 0.0)
    z = smooth
    low = (smooth < -BOUND).astype(np.uint8)
    strongest = 0.0
    box = None
    if low.any() and any(used):
        count, labels, stats, _ = cv2.connectedComponentsWithStats(low, connectivity=8)
        for i in range(1, count):
            value = float(-smooth[labels == i].sum())
            if value > strongest:
                strongest = value
                x0, y0, ww, hh = stats[i, :4]
                box = (int(x0 * 8 + sx), int(y0 * 8 + sy), int(ww * 8 + 8), int(hh * 8 + 8))
    return {"present": present, "score": strongest, "shift": (sy, sx), "q1": q1, "used": int(sum(used)),
            "sigma": [round(v, 2) for v in sigma], "map": (z, sy, sx), "box": box,
            "page_llr": float(np.median(smooth[den >= 2])) if (den >= 2).any() else 0.0}


def box_mean(result: dict, box) -> float | None:
    """Mean z of the map's blocks inside an image-coordinate box (oracle diagnostic)."""
    if result.get("map") is None:
        return None
    z, sy, sx = result["map"]
    x, y, w, h = box
    r0, r1 = max(0, (y - sy) // 8), max(0, (y + h - sy) // 8 + 1)
    c0, c1 = max(0, (x - sx) // 8), max(0, (x + w - sx) // 8 + 1)
    part = z[r0:r1, c0:c1]
    return float(part.mean()) if part.size else None


def auc(pos: list[float], neg: list[float]) -> float:
    if not pos or not neg:
        return float("nan")
    p, n = np.asarray(pos)[:, None], np.asarray(neg)[None, :]
    return float(((p > n) + 0.5 * (p == n)).mean())


def page_score(result: dict) -> float:
    """The page's figure: the strongest area, only where the page shows double compression at all."""
    return result["score"] if result["present"] >= PRESENCE_Z else 0.0


def generated(directory: Path, flag: float | None, sample: int) -> None:
    """Generated pages (labels.jsonl with `tampered`): ROC-AUC of the page score, untouched share flagged."""
    rows = [json.loads(line) for line in (directory / "labels.jsonl").read_text().splitlines()]
    scores, labels, present = [], [], []
    for r in rows:
        res = analyse(luma_of(directory / r["file"]), np.random.default_rng(0), sample=sample)
        scores.append(page_score(res))
        labels.append(bool(r["tampered"]))
        present.append(res["present"] >= PRESENCE_Z)
        print(f"{r['file']:40s} {r['tamper_kind'] or 'none':9s} present={res['present']:7.1f} "
              f"score={res['score']:8.2f}", flush=True)
    scores_a, labels_a = np.asarray(scores), np.asarray(labels)
    print(f"\n{directory}: {len(rows)} pages, ROC-AUC {auc(list(scores_a[labels_a]), list(scores_a[~labels_a])):.3f}; "
          f"double compression seen on {np.mean(present):.1%}")
    if flag is not None:
        print(f"flagged at >= {flag}: untouched {np.mean(scores_a[~labels_a] >= flag):.1%}, "
              f"tampered {np.mean(scores_a[labels_a] >= flag):.1%}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--real", type=Path, default=None)
    parser.add_argument("--generated", type=Path, default=None, help="a generated set instead (labels.jsonl)")
    parser.add_argument("--split", default="dev")
    parser.add_argument("--flag", type=float, default=None, help="score from which a page would be flagged")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--sample", type=int, default=SAMPLE, help="blocks read per shift to find the first grid")
    parser.add_argument("--pairs-only", action="store_true", help="only the edited pages and their twins")
    parser.add_argument("--oracle", action="store_true",
                        help="force the true first grid (from the crop; JPEG originals only)")
    args = parser.parse_args()
    if args.generated is not None:
        generated(args.generated, args.flag, args.sample)
        return
    rows = [json.loads(line) for line in (args.real / "labels.jsonl").read_text().splitlines()]
    originals = {r["original_sha256"]: r for r in rows if r["variant"] == "untouched"}
    rows = [r for r in rows if r["split"] == args.split]
    if args.pairs_only:
        rows = [r for r in rows if r["variant"].startswith("edited_") or r["variant"] == "matched"]
    results = {}
    started = time.process_time()
    for r in rows:
        y = luma_of(args.real / r["file"])
        truth = None
        if args.oracle:
            with Image.open(args.real / originals[r["original_sha256"]]["file"]) as original:
                jpeg = original.format == "JPEG"
                dy, dx = original.size[1] - y.shape[0], original.size[0] - y.shape[1]
            truth = ((-dy) % 8, (-dx) % 8) if jpeg else None
        res = analyse(y, np.random.default_rng(0), truth, args.sample)
        results[r["file"]] = res
        print(f"{r['file']:60s} {r['tamper_kind']:9s} present={res['present']:7.1f} score={res['score']:6.2f} "
              f"shift={res.get('shift')} q1={res.get('q1')} box={res.get('box')}", flush=True)
    cpu = (time.process_time() - started) / max(1, len(rows))
    pairs = {}
    for r in rows:
        if r["variant"].startswith("edited_"):
            twin = r["file"].replace("__" + r["variant"], "__matched")
            pairs[r["file"]] = (r, twin)
    print(f"\n{len(pairs)} pairs, CPU {cpu * 1000:.0f} ms per page")
    by_source: dict[str, tuple[list, list, list, list]] = {}
    for edited, (r, twin) in pairs.items():
        pos, neg, opos, oneg = by_source.setdefault(r["source"], ([], [], [], []))
        pos.append(page_score(results[edited]))
        neg.append(page_score(results[twin]))
        a = box_mean(results[edited], r["tamper_boxes"][0])
        b = box_mean(results[twin], r["tamper_boxes"][0])
        if a is not None and b is not None:
            opos.append(-a)
            oneg.append(-b)
    everything = [[], [], [], []]
    print(f"{'source':20s} pairs  page-AUC  oracle-box-AUC")
    for source, lists in sorted(by_source.items()):
        for i in range(4):
            everything[i] += lists[i]
        print(f"{source:20s} {len(lists[0]):5d}  {auc(lists[0], lists[1]):8.3f}  {auc(lists[2], lists[3]):8.3f}")
    print(f"{'all':20s} {len(everything[0]):5d}  {auc(everything[0], everything[1]):8.3f}  "
          f"{auc(everything[2], everything[3]):8.3f}")
    untouched = [page_score(results[r["file"]]) for r in rows if r["tamper_kind"] == "none"]
    present = [results[r["file"]]["present"] >= PRESENCE_Z for r in rows if r["tamper_kind"] == "none"]
    print(f"untouched pages {len(untouched)}: double compression seen on {np.mean(present):.1%}; "
          f"score quantiles 50/90/98: {np.percentile(untouched, [50, 90, 98]).round(2).tolist()}")
    if args.flag is not None:
        print(f"flagged at >= {args.flag}: untouched {np.mean(np.asarray(untouched) >= args.flag):.1%}, "
              f"edited {np.mean([page_score(results[e]) >= args.flag for e in pairs]):.1%}")
    if args.out:
        args.out.write_text(json.dumps({f: {k: v for k, v in res.items() if k != "map"} for f, res in results.items()},
                                       indent=1, default=str))


if __name__ == "__main__":
    main()
