"""The test suite itself: any subset of its folders collects (pytest imports test helpers by their bare module
name, so two folders' helpers with one name, or a test importing a conftest, break a run of both folders)."""
from __future__ import annotations

import ast
import subprocess
import sys
from collections import Counter
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def _modules() -> list[Path]:
    return [path for path in TESTS.rglob("*.py") if "__pycache__" not in path.parts]


def test_no_test_imports_a_conftest():
    offenders = []
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else \
                [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
            if any(name.split(".")[-1] == "conftest" for name in names):
                offenders.append(str(path.relative_to(TESTS)))
    assert offenders == [], f"import helpers from a plain module, not a conftest: {offenders}"


def test_helper_and_test_module_names_are_unique_across_folders():
    names = Counter(path.name for path in _modules() if path.name not in ("conftest.py", "__init__.py"))
    assert [name for name, count in names.items() if count > 1] == []


def test_two_folders_that_once_clashed_collect_together():
    completed = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
                                str(TESTS / "forensics"), str(TESTS / "training"), str(TESTS / "risk")],
                               capture_output=True, text=True, cwd=TESTS.parent)
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-2000:]
    assert "error" not in completed.stdout.splitlines()[-1].lower()
