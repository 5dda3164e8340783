"""The authenticity evaluation report, real beside generated, from signal reports already computed (no analysis).

    .venv/bin/python scripts/real_evaluation_report.py --out docs/forensics/real-evaluation.md \
        [--cache /work/cache/real/analyses --generated DIR,DIR] [--real DIR] [--model M]

Real rows: the dev split's recorded signal reports (tests/forensics/data/real_set_signals.json, numbers only),
plus, with --real and --cache, every image of that set found in the analysis cache (the holdout split too). The
generated columns are the sets given with --generated, read from the cache (images not yet analysed are left out
and counted). For each: the per-source table (count, ROC-AUC, untouched flagged share), the verdicts on untouched
images, the quality-matched ROC-AUC, and the reliability of the reported score (table, and a PNG beside the report).
Figures from `training/forensics/real_evaluation.summarise_real`, the same code as `credlift forensics evaluate --real`.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RECORDED = ROOT / "tests" / "forensics" / "data" / "real_set_signals.json"


def recorded_rows(path: Path = RECORDED) -> tuple[list, list]:
    from credlift.domain.authenticity import SignalReport
    from credlift.tools.forensics.domain import Domain
    from credlift.training.forensics.dataset import ImageAnalysis, LabelledImage

    labels, analyses = [], []
    for row in json.loads(path.read_text(encoding="utf-8"))["images"]:
        domain = row["domain"]
        analyses.append(ImageAnalysis(signals=[SignalReport(name=s["name"], score=s["score"], details=s["details"])
                                               for s in row["signals"]], seconds=0.0,
                                      domain=None if domain is None else Domain(**domain)))
        labels.append(LabelledImage(path=Path(row["file"]), tamper_kind=row["tamper_kind"], tamper_boxes=[],
                                    capture="", jpeg_quality=None, equal_quality=True, source=row["source"],
                                    split=row["split"], variant=row["variant"]))
    return labels, analyses


def cached_rows(directory: Path, cache: Path, read_text: bool) -> tuple[list, list, int]:
    from credlift.training.forensics.analysis_cache import cached_analysis, is_cached
    from credlift.training.forensics.dataset import read_labels

    labels = read_labels(directory)
    kept = [label for label in labels if is_cached(label.path, cache, read_text=read_text)]
    return kept, [cached_analysis(label.path, cache, read_text=read_text) for label in kept], len(labels)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--cache", type=Path, default=None)
    parser.add_argument("--generated", default="", help="generated sets read from the cache, comma-separated")
    parser.add_argument("--generated-ocr", action="store_true",
                        help="the generated sets were analysed with OCR (default: pixels only, as cached)")
    parser.add_argument("--real", type=Path, default=None, help="the real set; its cached images are added")
    parser.add_argument("--model", type=Path, default=None, help="a fusion model other than the shipped one")
    parser.add_argument("--bootstrap", type=int, default=200, help="bootstrap rounds of the per-signal intervals")
    args = parser.parse_args(argv)

    from credlift.training.forensics import real_evaluation

    real_evaluation.matched_signal_aucs.__defaults__ = (args.bootstrap, 0)  # rounds, seed

    from credlift.tools.forensics.fusion import FusionModel, default_fusion_model
    from credlift.training.forensics.real_evaluation import plot_reliability, summarise_real

    model = FusionModel.load(args.model) if args.model else default_fusion_model()
    sections, notes = [], []
    labels, analyses = recorded_rows()
    if args.real is not None and args.cache is not None:
        recorded = {label.path.name for label in labels}
        more, more_analyses, total = cached_rows(args.real, args.cache, True)
        fresh = [(lab, a) for lab, a in zip(more, more_analyses) if lab.path.name not in recorded]
        labels += [lab for lab, _ in fresh]
        analyses += [a for _, a in fresh]
        notes.append(f"real: {len(recorded)} dev images from the recording, {len(fresh)} more from the cache "
                     f"(of {total} in the set)")
    real = [summarise_real(Path("real"), labels, analyses, model, split)
            for split in ("dev", "holdout") if any(label.split == split for label in labels)]
    for item in real:
        sections.append(f"## Real documents, {item.split} split\n\n```\n{item.table()}\n```\n")
    for directory in [Path(p) for p in args.generated.split(",") if p]:
        kept, kept_analyses, total = cached_rows(directory, args.cache, args.generated_ocr)
        notes.append(f"{directory.name}: {len(kept)} of {total} images analysed "
                     f"({'OCR first' if args.generated_ocr else 'pixels only: content checks abstain'})")
        if kept:
            item = summarise_real(directory, kept, kept_analyses, model, "all")
            sections.append(f"## Generated {directory.name}\n\n```\n{item.table()}\n```\n")
    png = plot_reliability(real, args.out.with_name(args.out.stem + "_reliability.png")) if real else None
    head = [f"# Authenticity on real documents beside generated ones (model `{getattr(model, 'version_', 'fusion')}`)",
            "", "Reproduce: `.venv/bin/python " + " ".join([Path(sys.argv[0]).as_posix(), *sys.argv[1:]]) + "`", ""]
    head += [f"- {note}" for note in notes]
    if png is not None:
        head += ["", f"Reliability diagram of the reported score on the real set: `{png.name}`", ""]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(head) + "\n" + "\n".join(sections), encoding="utf-8")
    print(args.out.read_text(encoding="utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
