"""Product code (agent, tools, knowledge, prompts, ui/web, the shared core) never imports the test-data generator
or the offline training code (evals/, training/): read from the source with an ast walk, every import counts,
including those inside functions."""
from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PRODUCT = ("agent", "tools", "knowledge", "prompts", "ui/web", "credlift")
OFFLINE = ("credlift.evals", "credlift.training", "evals", "training")


def offline_imports(path: Path, root: Path = REPO) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                 else [node.module] if isinstance(node, ast.ImportFrom) and node.module and node.level == 0 else [])
        found += [f"{path.relative_to(root)}:{node.lineno} {name}" for name in names
                  if any(name == prefix or name.startswith(prefix + ".") for prefix in OFFLINE)]
    return found


def test_product_code_never_imports_evals_or_training():
    offenders = [hit for root in PRODUCT for path in sorted((REPO / root).rglob("*.py")) for hit in offline_imports(path)]
    assert offenders == []


def test_the_check_sees_imports_inside_functions(tmp_path):
    module = tmp_path / "late.py"
    module.write_text("import json\n\n\ndef build():\n    if True:\n        from credlift.training.forensics.training "
                      "import train_fusion\n        import credlift.evals.synth as synth\n    return json\n\n\n"
                      "class Later:\n    def run(self):\n        from training.risk import study\n", encoding="utf-8")
    assert offline_imports(module, tmp_path) == ["late.py:6 credlift.training.forensics.training",
                                                 "late.py:7 credlift.evals.synth", "late.py:13 training.risk"]
    clean = tmp_path / "clean.py"
    clean.write_text("def f():\n    from credlift.tools.training_notes import x\n    import trainingwheels\n"
                     "    from . import training\n", encoding="utf-8")
    assert offline_imports(clean, tmp_path) == []
