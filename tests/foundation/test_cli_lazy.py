"""The command line finds every command, the offline ones (training, evaluation, data generation) included, without
the product importing them: importing the app, the agent, the pipeline or the command line, and running a product
command, loads nothing from training/ or evals/, nor any command module it does not run."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PRODUCT_COMMANDS = ("accounts", "apply", "chat", "check", "config", "index", "ui")
OFFLINE_COMMANDS = ("bench", "eval", "extraction", "forensics", "issuers", "loanbook", "retrieval", "scorecard", "study",
                    "synth", "training")
OFFLINE_PREFIXES = ("credlift.training", "credlift.evals", "training", "evals")

PROBE = """
import json, sys
from credlift.ui import cli
before = sorted(m for m in sys.modules if m.startswith("credlift.ui.commands."))
import credlift.ui.app, credlift.agent.service, credlift.tools.pipeline, credlift.tools.forensics.assess
for name in %r:
    cli.load_command(name)
code = cli.app(["config"], standalone_mode=False)
print(json.dumps({"commands_on_import": before, "config_exit": code or 0, "modules": sorted(sys.modules)}))
"""


def test_the_product_never_imports_training_or_evals(tmp_path):
    result = subprocess.run([sys.executable, "-c", PROBE % (PRODUCT_COMMANDS,)], capture_output=True, text=True,
                            cwd=tmp_path, timeout=600, env=_env(tmp_path))
    assert result.returncode == 0, result.stderr[-2000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["commands_on_import"] == []  # the command line imports a command's module only to resolve it
    assert seen["config_exit"] == 0
    offline = [m for m in seen["modules"] if any(m == p or m.startswith(p + ".") for p in OFFLINE_PREFIXES)]
    assert offline == []
    loaded = {m.rsplit(".", 1)[1] for m in seen["modules"] if m.startswith("credlift.ui.commands.")}
    assert loaded == set(PRODUCT_COMMANDS)


def test_help_lists_every_command_and_the_offline_ones_still_run(tmp_path):
    modules = sorted(p.stem for p in (REPO / "ui" / "commands").glob("*.py") if not p.stem.startswith("_"))
    assert sorted(PRODUCT_COMMANDS + OFFLINE_COMMANDS) == modules  # a new command is sorted into one of the two
    result = subprocess.run([sys.executable, "-m", "credlift.ui.cli", "--help"], capture_output=True, text=True,
                            cwd=tmp_path, timeout=600, env=_env(tmp_path))
    assert result.returncode == 0, result.stderr[-2000:]
    listed = {line.strip("│ ").split()[0] for line in result.stdout.splitlines() if line.startswith("│ ") and
              line.strip("│ ") and not line.startswith("│  ")}
    assert set(modules) <= listed
    result = subprocess.run([sys.executable, "-m", "credlift.ui.cli", "forensics", "--help"], capture_output=True,
                            text=True, cwd=tmp_path, timeout=600, env=_env(tmp_path))
    assert result.returncode == 0 and all(f"│ {name} " in result.stdout
                                         for name in ("train", "calibrate", "quantize-trace", "evaluate"))
    result = subprocess.run([sys.executable, "-m", "credlift.ui.cli", "forensics", "train", "--seeds", "202,1001"],
                            capture_output=True, text=True, cwd=tmp_path, timeout=600, env=_env(tmp_path))
    assert result.returncode == 2 and "reserved" in result.stderr  # loaded on use, its checks intact
    result = subprocess.run([sys.executable, "-m", "credlift.ui.cli", "trainin"], capture_output=True, text=True,
                            cwd=tmp_path, timeout=600, env=_env(tmp_path))
    assert result.returncode == 2 and "Did you mean 'training'?" in result.stderr  # unloaded names are suggested


def test_the_readme_command_table_lists_every_command_product_first():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    rows = [line.split("`")[1].split()[1] for line in readme.splitlines() if line.startswith("| `credlift ")]
    assert sorted(rows) == sorted(PRODUCT_COMMANDS + OFFLINE_COMMANDS)
    assert set(rows[:len(PRODUCT_COMMANDS)]) == set(PRODUCT_COMMANDS)  # "the first seven are the product"


def _env(tmp_path: Path) -> dict:
    import os

    return {**os.environ, "CREDLIFT_DATA_DIR": str(tmp_path / "data"), "OMP_NUM_THREADS": "1"}
