"""Build the real-world authenticity development set (issue 24) from the sources in evals/realset/manifest.json.

    .venv/bin/python scripts/build_real_devset.py --out data/real_devset [--mirror-root DIR] [--cache DIR] [--strict]

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
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--mirror-root", type=Path, default=Path("/work/.mirror"))
    parser.add_argument("--cache", type=Path, default=None, help="where downloaded wheels are kept")
    parser.add_argument("--strict", action="store_true", help="stop at the first missing or changed file")
    args = parser.parse_args(argv)
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


if __name__ == "__main__":
    sys.exit(main())
