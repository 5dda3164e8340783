"""Is the screenshot rendering check (tools/forensics/signals/screen_render.py) a compression detector? Two tests.

    .venv/bin/python scripts/screen_render_pairs.py --out data/screen-pairs --pairs 30 --seed 2501

1. Quality-matched pairs: `generate_matched_pairs` on the app-screenshot types (rider profile, creator page), each
   edit (screen_retype: a number painted over and typed again; retype: the certificate forger's retype) saved at its
   page's own quality and sent on through the same after-chain as its untouched twin (capture `varied`: chat apps,
   off-grid re-saves). ROC-AUC of the signal's score, edited against untouched, with a bootstrap interval.
2. Recompression alone: every untouched page re-saved as a JPEG at quality 60-80 (what a chat app does), against
   itself; a compression detector separates them, a rendering check must not (AUC near 0.5, scores unchanged).

The pages are read by the app's OCR; only the screen check runs (the paper checks do not judge app pages).
Prints one JSON object.
"""
from __future__ import annotations

import argparse
import io
import json
import sys
from pathlib import Path


def screen_score(data: bytes) -> tuple[float, dict]:
    from credlift.tools.extraction.ocr import run_ocr
    from credlift.tools.forensics.context import AnalysisContext
    from credlift.tools.forensics.signals.screen_render import ScreenRenderSignal
    from credlift.tools.intake import load_upload

    upload = load_upload(data, "page.png")
    report = ScreenRenderSignal().analyse(AnalysisContext(upload=upload, ocr_lines=run_ocr(upload.rgb)))
    return report.score, report.details


def recompressed(data: bytes, quality: int) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.open(io.BytesIO(data)).convert("RGB").save(out, "JPEG", quality=quality)
    return out.getvalue()


def auc_with_interval(negatives: list[float], positives: list[float], rounds: int = 1000, seed: int = 0):
    import numpy as np
    from sklearn.metrics import roc_auc_score

    labels = [0] * len(negatives) + [1] * len(positives)
    auc = float(roc_auc_score(labels, negatives + positives))
    rng = np.random.default_rng(seed)
    draws = []
    n, p = np.array(negatives), np.array(positives)
    for _ in range(rounds):
        a, b = rng.choice(n, len(n)), rng.choice(p, len(p))
        if len(set(np.concatenate([a, b]))) > 1:
            draws.append(roc_auc_score([0] * len(a) + [1] * len(b), np.concatenate([a, b])))
    return round(auc, 4), [round(float(np.percentile(draws, 2.5)), 4), round(float(np.percentile(draws, 97.5)), 4)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--pairs", type=int, default=30)
    parser.add_argument("--seed", type=int, default=2501)
    parser.add_argument("--kinds", default="screen_retype,retype")
    args = parser.parse_args(argv)

    from credlift.evals.synth.generate import generate_matched_pairs

    rows = generate_matched_pairs(args.out, pairs=args.pairs, seed=args.seed,
                                  types=["rider_profile", "creator_profile"], capture="varied",
                                  tamper_kinds=args.kinds.split(","))
    untouched, edited, by_kind, recompressed_scores, honest_flagged = [], [], {}, [], 0
    for row in rows:
        data = (args.out / row["file"]).read_bytes()
        score, details = screen_score(data)
        if row["variant"] == "matched":
            untouched.append(score)
            honest_flagged += int(details.get("flagged", False))
            again, _ = screen_score(recompressed(data, 60 + (row["seed"] % 21)))
            recompressed_scores.append(again)
        else:
            edited.append(score)
            by_kind.setdefault(row["tamper_kind"], []).append(score)
        print(f"{row['file']}: {score:.3f} {row.get('after')}", file=sys.stderr)
    matched_auc, matched_interval = auc_with_interval(untouched, edited)
    recompression_auc, recompression_interval = auc_with_interval(untouched, recompressed_scores)
    result = {
        "pairs": len(edited), "seed": args.seed, "kinds": args.kinds,
        "matched_auc": matched_auc, "matched_interval": matched_interval,
        "auc_by_kind": {kind: auc_with_interval(untouched, scores)[0] for kind, scores in by_kind.items()},
        "edited_flagged": sum(s >= 0.85 for s in edited), "untouched_flagged": honest_flagged,
        "recompression_auc": recompression_auc, "recompression_interval": recompression_interval,
        "recompression_max_change": round(max(abs(a - b) for a, b in zip(untouched, recompressed_scores)), 4),
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
