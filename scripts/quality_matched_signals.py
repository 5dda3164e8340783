"""Which signals still carry signal once JPEG quality is matched? Generated pairs beside real ones, one report.

    .venv/bin/python scripts/quality_matched_signals.py --real data/real_devset \
        --seeds 2401,2402 --pairs 24 --work data --cache data/matched-analyses.pkl \
        --out docs/forensics/quality-matched-signals.md --record tests/forensics/data/real_set_signals.json

For each generated seed: `generate_matched_pairs` (capture `varied`: scanner apps, PDF renders, chat apps,
off-grid re-saves, screenshots; each pixel forgery saved at its page's quality and sent on through the same
after-chain as its untouched twin). For the real set (scripts/build_real_devset.py): its edited receipts and their
untouched twins saved through the same final capture, dev and holdout apart. Every image is analysed as the app
does (OCR first, one worker); each signal's ROC-AUC on the pairs with a 95% bootstrap interval (originals
resampled), the fused and reported scores' AUC, and the verdicts on untouched images. `--record` writes each real
image's signal reports and domain (numbers only, no pixels) so tests can pin the verdicts on the real set without
the images. `--cache` keeps analyses between runs (keyed by the file's sha256).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import pickle
import sys
from pathlib import Path


def _analyses(data_dir: Path, labels, cache: dict, cache_path: Path | None, log) -> list:
    from credlift.training.forensics.dataset import analyse_image

    out = []
    for index, label in enumerate(labels):
        key = hashlib.sha256(label.path.read_bytes()).hexdigest()
        if key not in cache:
            analysis = analyse_image(label.path, read_text=True)
            analysis.combined_heat = analysis.plain_ela = None
            cache[key] = analysis
            if cache_path is not None:
                cache_path.write_bytes(pickle.dumps(cache))
            log(f"  {data_dir.name}: {index + 1}/{len(labels)} {label.path.name} {analysis.seconds:.1f} s")
        out.append(cache[key])
    return out


def _column(evaluation) -> dict:
    untouched = sum(evaluation.untouched_verdicts.values()) or 1
    return {
        "pairs": evaluation.matched_pairs,
        "untouched": sum(evaluation.untouched_verdicts.values()),
        "untouched_tampered": round(evaluation.untouched_verdicts.get("tampered", 0) / untouched, 4),
        "untouched_flagged": round((evaluation.untouched_verdicts.get("tampered", 0)
                                    + evaluation.untouched_verdicts.get("suspicious", 0)) / untouched, 4),
        "untouched_verdicts": evaluation.untouched_verdicts,
        "matched_reported_auc": evaluation.matched_roc_auc,
        "matched_fused_auc": evaluation.matched_fused_roc_auc,
        "signals": {name: {"auc": auc, "interval": list(evaluation.matched_signal_interval.get(name, ()))}
                    for name, auc in evaluation.matched_signal_roc_auc.items()},
    }


def render_markdown(columns: dict[str, dict], model_version: str, command: str) -> str:
    names = sorted({name for column in columns.values() for name in column["signals"]})
    heads = list(columns)
    lines = ["# Quality-matched signals: generated pairs beside real ones", "",
             f"Model `{model_version}`. Each edited image against the same page untouched, saved through the same "
             "final capture (equal JPEG quality and grid). ROC-AUC of each signal's own score (0.5: it cannot tell "
             "them apart; below 0.5: it scores the untouched twin higher), 95% bootstrap interval over the pairs.",
             f"Reproduce: `{command}`", "",
             "| signal | " + " | ".join(heads) + " |", "| --- |" + " --- |" * len(heads)]

    def cell(column, name):
        entry = column["signals"].get(name)
        if not entry:
            return "-"
        low_high = entry["interval"]
        return f"{entry['auc']:.2f}" + (f" ({low_high[0]:.2f}-{low_high[1]:.2f})" if low_high else "")

    for name in names:
        lines.append(f"| {name} | " + " | ".join(cell(columns[h], name) for h in heads) + " |")

    def fmt(value, pct=False):
        if value is None:
            return "-"
        return f"{100 * value:.1f}%" if pct else f"{value:.3f}"

    lines += ["", "| | " + " | ".join(heads) + " |", "| --- |" + " --- |" * len(heads),
              "| quality-matched pairs | " + " | ".join(str(columns[h]["pairs"]) for h in heads) + " |",
              "| fused probability, ROC-AUC | " + " | ".join(fmt(columns[h]["matched_fused_auc"]) for h in heads) + " |",
              "| reported score, ROC-AUC | " + " | ".join(fmt(columns[h]["matched_reported_auc"]) for h in heads) + " |",
              "| untouched images | " + " | ".join(str(columns[h]["untouched"]) for h in heads) + " |",
              "| untouched told `tampered` | " + " | ".join(fmt(columns[h]["untouched_tampered"], True)
                                                         for h in heads) + " |",
              "| untouched told `tampered` or `suspicious` | " + " | ".join(
                  fmt(columns[h]["untouched_flagged"], True) for h in heads) + " |",
              "| verdicts on untouched | " + " | ".join(", ".join(f"{k} {v}" for k, v in sorted(
                  columns[h]["untouched_verdicts"].items())) for h in heads) + " |"]
    return "\n".join(lines) + "\n"


def record_signals(labels, analyses, path: Path) -> None:
    """Each real image's signal reports and domain, numbers only: the pinned tests re-decide verdicts from them."""
    rows = []
    for label, analysis in zip(labels, analyses):
        if analysis.error:
            continue
        domain = analysis.domain
        rows.append({
            "file": label.path.name, "source": label.source, "split": label.split, "variant": label.variant,
            "tamper_kind": label.tamper_kind,
            "domain": None if domain is None else {"layout": domain.layout, "layout_known": domain.layout_known,
                                                   "capture_issues": list(domain.capture_issues)},
            "signals": [{"name": s.name, "score": float(s.score),
                         "details": {k: (round(v, 6) if isinstance(v, float) else v) for k, v in s.details.items()
                                     if isinstance(v, (int, float, bool)) or (isinstance(v, str) and len(v) < 200)}}
                        for s in analysis.signals],
        })
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"about": "signal reports and domain of each image of the real development set "
                                "(scripts/quality_matched_signals.py --record); no pixels", "images": rows},
                               ensure_ascii=False, indent=0, sort_keys=True) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real", type=Path, help="a real set from scripts/build_real_devset.py")
    parser.add_argument("--seeds", default="2401,2402", help="generated seeds (never 202 or 101)")
    parser.add_argument("--pairs", type=int, default=24, help="pairs per generated seed (an existing set's first N)")
    parser.add_argument("--work", type=Path, default=Path("data"), help="where generated pair sets are kept")
    parser.add_argument("--cache", type=Path, default=None, help="analyses kept between runs (pickle)")
    parser.add_argument("--out", type=Path, required=True, help="markdown report (a .json beside it)")
    parser.add_argument("--record", type=Path, default=None, help="write the real images' signal reports here")
    parser.add_argument("--real-splits", default="dev,holdout", help="the real set's splits to analyse and report")
    args = parser.parse_args(argv)

    from credlift.evals.synth.generate import generate_matched_pairs
    from credlift.training.forensics.dataset import read_labels
    from credlift.tools.forensics.fusion import default_fusion_model
    from credlift.training.forensics.real_evaluation import summarise_real
    from credlift.training.forensics.seeds import RESERVED_SEEDS

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
    if any(seed in RESERVED_SEEDS for seed in seeds):
        print(f"error: seeds {sorted(RESERVED_SEEDS)} are reserved for evaluation sets", file=sys.stderr)
        return 2
    model = default_fusion_model()
    cache = pickle.loads(args.cache.read_bytes()) if args.cache and args.cache.exists() else {}
    columns: dict[str, dict] = {}
    for seed in seeds:
        directory = args.work / f"pairs-{seed}"
        if not (directory / "labels.jsonl").exists():
            log(f"generating {args.pairs} pairs, seed {seed} ...")
            generate_matched_pairs(directory, pairs=args.pairs, seed=seed)
        labels = read_labels(directory)[: 2 * args.pairs]  # the first N pairs (a set's plan does not depend on N)
        analyses = _analyses(directory, labels, cache, args.cache, log)
        columns[f"generated seed {seed} (varied)"] = _column(summarise_real(directory, labels, analyses, model, "dev"))
    if args.real is not None:
        splits = [split for split in args.real_splits.split(",") if split]
        labels = [label for label in read_labels(args.real) if label.split in splits]
        analyses = _analyses(args.real, labels, cache, args.cache, log)
        for split in splits:
            columns[f"real {split}"] = _column(summarise_real(args.real, labels, analyses, model, split))
        if args.record is not None:
            record_signals(labels, analyses, args.record)
    command = ("python scripts/quality_matched_signals.py --real DIR --seeds " + ",".join(map(str, seeds))
               + f" --pairs {args.pairs} --real-splits {args.real_splits} --out {args.out}")
    version = str(getattr(model, "version_", "fusion"))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(render_markdown(columns, version, command), encoding="utf-8")
    args.out.with_suffix(".json").write_text(json.dumps({"model_version": version, "command": command,
                                                         "columns": columns}, indent=1, sort_keys=True) + "\n",
                                             encoding="utf-8")
    print(args.out.read_text(encoding="utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
