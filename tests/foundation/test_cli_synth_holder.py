"""`credlift synth --holder-from-account ID`: a certificate in an account holder's name, so a demo approval is
one synth command and one apply command."""
from __future__ import annotations

import json
import os
import subprocess
import sys

SAFETY_TIMEOUT_S = 900  # a generous bound (quiet machine: about 15 s for both commands)


def cli(*args: str, data_dir) -> subprocess.CompletedProcess:
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "CREDLIFT_DATA_DIR": str(data_dir),
           "OMP_NUM_THREADS": "1"}
    return subprocess.run([sys.executable, "-m", "credlift.ui.cli", *args], capture_output=True, text=True, env=env,
                          timeout=SAFETY_TIMEOUT_S)


def test_a_certificate_in_the_holders_name_is_approved_by_apply(tmp_path):
    out = tmp_path / "demo"
    made = cli("synth", "--out", str(out), "--n", "1", "--types", "degree", "--capture", "scan", "--seed", "3",
               "--workers", "1", "--holder-from-account", "demo-graduate-03", data_dir=tmp_path / "data")
    assert made.returncode == 0, made.stderr
    assert "wrote 1 images (0 tampered)" in made.stdout and "孙*" in made.stdout and "孙悦" not in made.stdout
    assert "credlift apply --account demo-graduate-03" in made.stdout
    label = json.loads((out / "labels.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert label["fields"]["holder_name"] == "孙悦" and label["fields"]["birth_date"] == "2001-06-15"
    applied = cli("apply", "--account", "demo-graduate-03", str(out / label["file"]), "--json",
                  data_dir=tmp_path / "data")
    assert applied.returncode == 0, applied.stderr
    decision = json.loads(applied.stdout.splitlines()[0])
    assert decision["decision"] == "approve" and decision["increase"] > 0, decision


def test_an_unknown_account_is_a_sentence_and_a_non_zero_exit(tmp_path):
    refused = cli("synth", "--out", str(tmp_path / "x"), "--n", "1", "--holder-from-account", "nobody-99",
                  data_dir=tmp_path / "data")
    assert refused.returncode != 0 and "no account with id 'nobody-99'" in refused.stderr
    assert "Traceback" not in refused.stderr and not (tmp_path / "x" / "labels.jsonl").exists()
