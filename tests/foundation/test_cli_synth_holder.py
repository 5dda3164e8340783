"""`credlift synth --holder-from-account ID`: a certificate in an account holder's name, so a demo approval is
one synth command and one apply command (run in this process: the models other tests loaded stay loaded)."""
from __future__ import annotations

import json


def test_a_certificate_in_the_holders_name_is_approved_by_apply(credlift_cli, data_dir, tmp_path):
    out = tmp_path / "demo"
    code, stdout, stderr = credlift_cli("synth", "--out", str(out), "--n", "1", "--types", "degree", "--capture",
                                        "scan", "--seed", "3", "--workers", "1", "--holder-from-account",
                                        "demo-graduate-03")
    assert code == 0, stderr
    assert "wrote 1 images (0 tampered)" in stdout and "孙*" in stdout and "孙悦" not in stdout
    assert "credlift apply --account demo-graduate-03" in stdout
    label = json.loads((out / "labels.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert label["fields"]["holder_name"] == "孙悦" and label["fields"]["birth_date"] == "2001-06-15"
    code, stdout, stderr = credlift_cli("apply", "--account", "demo-graduate-03", str(out / label["file"]), "--json")
    assert code == 0, stderr
    decision = json.loads(stdout.splitlines()[0])
    assert decision["decision"] == "approve" and decision["increase"] > 0, decision


def test_an_unknown_account_is_a_sentence_and_a_non_zero_exit(credlift_cli, data_dir, tmp_path):
    code, _, stderr = credlift_cli("synth", "--out", str(tmp_path / "x"), "--n", "1", "--holder-from-account",
                                   "nobody-99")
    assert code != 0 and "no account with id 'nobody-99'" in stderr
    assert "Traceback" not in stderr and not (tmp_path / "x" / "labels.jsonl").exists()
