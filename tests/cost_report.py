"""Summarise the per-test costs that tests/conftest.py records: python tests/cost_report.py [FILE...]
(default: .pytest_cache/credlift-test-costs*.json, one file per test worker under pytest -n)

Prints the costliest files and tests by CPU seconds (this process and its children), with wall seconds beside."""
from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

CACHE = Path(__file__).resolve().parent.parent / ".pytest_cache"


def main(paths: list[str]) -> None:
    tests = []
    for path in paths or sorted(str(p) for p in CACHE.glob("credlift-test-costs*.json")):
        tests += json.loads(Path(path).read_text(encoding="utf-8"))["tests"]
    files: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0])
    for test in tests:
        row = files[test["nodeid"].split("::")[0]]
        row[0] += test["cpu_s"]
        row[1] += test["wall_s"]
        row[2] += 1
    print(f"{'cpu_s':>8} {'wall_s':>8} {'tests':>5}  file")
    for name, (cpu, wall, count) in sorted(files.items(), key=lambda kv: -kv[1][0]):
        print(f"{cpu:8.1f} {wall:8.1f} {count:5d}  {name}")
    print(f"{sum(r[0] for r in files.values()):8.1f} {sum(r[1] for r in files.values()):8.1f} {len(tests):5d}  total")
    print()
    for test in sorted(tests, key=lambda t: -t["cpu_s"])[:30]:
        print(f"{test['cpu_s']:8.1f} {test['wall_s']:8.1f}  {test['nodeid']}")


if __name__ == "__main__":
    main(sys.argv[1:])
