"""Product code (agent, tools, knowledge, prompts, ui/web, the shared core) never imports the test-data generator
or the offline training code (evals/, training/): read from the source with an ast walk, every import counts,
including those inside functions."""
from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PRODUCT = ("agent", "tools", "knowledge", "prompts", "ui/web", "credlift")
OFFLINE = ("credlift.evals", "credlift.training", "evals", "training")
# Offline model building that still lives in tools/ and is to move to training/forensics (issue 23): it generates
# its training sets with evals.synth. Nothing may be added to this list.
NOT_YET_MOVED = {"tools/forensics/training.py"}


def offline_imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                 else [node.module] if isinstance(node, ast.ImportFrom) and node.module and node.level == 0 else [])
        found += [f"{path.relative_to(REPO)}:{node.lineno} {name}" for name in names
                  if any(name == prefix or name.startswith(prefix + ".") for prefix in OFFLINE)]
    return found


def test_product_code_never_imports_evals_or_training():
    offenders = [hit for root in PRODUCT for path in sorted((REPO / root).rglob("*.py"))
                 if str(path.relative_to(REPO)) not in NOT_YET_MOVED for hit in offline_imports(path)]
    assert offenders == []


def test_the_check_sees_imports_inside_functions():
    module = REPO / "tools" / "forensics" / "training.py"
    assert offline_imports(module), "the one module not yet moved does import the generator (inside a function)"
    clean = REPO / "tools" / "pipeline.py"
    assert offline_imports(clean) == []
