"""`credlift forensics evaluate|train|calibrate`: figures from a labelled folder, cuts set on generated sets; bad
input is one line and exit 2."""
from __future__ import annotations

import json
import subprocess
import sys

import piexif

from forensic_pages import SCORE_BOX, certificate, copy_moved_score, jpeg_bytes
from credlift.training.forensics.evaluation import evaluate_authenticity


CET4_NUMBER = "191111001001234"


def _labelled_folder(root):
    root.mkdir()
    exif = piexif.dump({"0th": {piexif.ImageIFD.Software: b"GIMP 2.10.36"}, "Exif": {}, "GPS": {}, "1st": {}})
    rows = [
        ("honest.jpg", jpeg_bytes(certificate(seed=51, number=CET4_NUMBER)), "none", []),
        # clean pixels, but a total its parts do not make: only the content check can tell
        ("raised.jpg", jpeg_bytes(certificate(seed=61, score="695", number=CET4_NUMBER), quality=90), "retype",
         [list(SCORE_BOX)]),
        ("cloned.png", copy_moved_score(seed=52), "copy_move", [[566, 272, 20, 42]]),
        ("edited.jpg", jpeg_bytes(certificate(seed=53), exif=exif), "metadata", []),
    ]
    with (root / "labels.jsonl").open("w") as labels:
        for name, data, kind, boxes in rows:
            (root / name).write_bytes(data)
            labels.write(json.dumps({"file": name, "tamper_kind": None if kind == "none" else kind,
                                     "tamper_boxes": boxes, "capture": "photo", "jpeg_quality": 88,
                                     "same_quality_as_pristine": True}) + "\n")
    return root


def test_evaluation_reports_roc_auc_recall_per_kind_and_timing(tmp_path):
    evaluation = evaluate_authenticity(_labelled_folder(tmp_path / "set"))
    assert evaluation.overall.images == 4 and evaluation.overall.manipulated == 3
    assert set(evaluation.overall.recall_by_kind) == {"copy_move", "metadata", "retype"}
    assert evaluation.overall.false_positive_rate == 0.0
    # the page is read first, as the app does, so the raised total is caught; pixels alone miss it
    assert evaluation.overall.recall_by_kind["retype"] == 1.0 and evaluation.pixels_only.recall_by_kind["retype"] == 0.0
    assert evaluation.ocr_seconds_p50 > 0
    assert evaluation.overall.roc_auc is not None and 0.0 <= evaluation.overall.roc_auc <= 1.0
    assert evaluation.pixel_f1 is not None
    assert evaluation.seconds_p50 > 0 and evaluation.seconds_p95 >= evaluation.seconds_p50
    table = evaluation.table()
    assert "plain ELA" in table and "copy_move" in table and "pixels only" in table


def test_evaluate_command_refuses_a_missing_folder_in_one_line(tmp_path):
    result = subprocess.run([sys.executable, "-m", "credlift.ui.cli", "forensics", "evaluate", "--data",
                             str(tmp_path / "nowhere")], capture_output=True, text=True, timeout=900)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "not a folder" in result.stderr
    assert "Traceback" not in result.stderr


def test_training_refuses_the_evaluation_seed(tmp_path):
    result = subprocess.run([sys.executable, "-m", "credlift.ui.cli", "forensics", "train", "--seeds", "202,1001",
                             "--work-dir", str(tmp_path)], capture_output=True, text=True, timeout=900)
    assert result.returncode == 2 and "reserved" in result.stderr


def test_training_refuses_trace_seeds_that_are_not_numbers(tmp_path):
    result = subprocess.run([sys.executable, "-m", "credlift.ui.cli", "forensics", "train", "--trace-seeds", "1004,x",
                             "--work-dir", str(tmp_path)], capture_output=True, text=True, timeout=900)
    assert result.returncode == 2 and "--trace-seeds" in result.stderr and "Traceback" not in result.stderr
    assert not any(tmp_path.iterdir()), "nothing is generated before the arguments are checked"


def test_training_refuses_name_seeds_that_are_not_numbers_or_reserved(tmp_path):
    for seeds, says in (("1013,x", "--name-seeds"), ("1013,202", "reserved")):
        result = subprocess.run([sys.executable, "-m", "credlift.ui.cli", "forensics", "train", "--name-seeds", seeds,
                                 "--work-dir", str(tmp_path)], capture_output=True, text=True, timeout=900)
        assert result.returncode == 2 and says in result.stderr and "Traceback" not in result.stderr
        assert not any(tmp_path.iterdir()), "nothing is generated before the arguments are checked"


def test_training_refuses_a_reserved_trace_seed_before_any_work(tmp_path):
    result = subprocess.run([sys.executable, "-m", "credlift.ui.cli", "forensics", "train", "--trace-seeds", "1004,202",
                             "--work-dir", str(tmp_path)], capture_output=True, text=True, timeout=900)
    assert result.returncode == 2 and "reserved" in result.stderr
    assert not any(tmp_path.iterdir())


def test_calibrate_sets_the_seal_ink_cut_on_generated_sets_and_writes_its_card(tmp_path):
    cards = tmp_path / "cards"
    result = subprocess.run([sys.executable, "-m", "credlift.ui.cli", "forensics", "calibrate", "--work-dir",
                             str(tmp_path / "sets"), "--n", "20", "--seeds", "31", "--checks", "seal_ink",
                             "--cards-dir", str(cards), "--workers", "1"], capture_output=True, text=True, timeout=3600)
    assert result.returncode == 0, result.stderr
    written = json.loads((cards / "seal_ink.json").read_text())
    assert json.loads(result.stdout) == {"seal_ink": written} and not (cards / "photo_margin.json").exists()
    assert written["data"] == ["synth-31-n20"] and written["honest_pages"] >= 1 and written["cut"] >= 40
    assert "seal-ink cut" in result.stderr


def test_calibrate_refuses_unknown_checks_and_reserved_seeds_before_generating(tmp_path):
    for args, says in ((["--checks", "seal_ink,halo"], "no such check: halo"), (["--seeds", "202"], "reserved")):
        result = subprocess.run([sys.executable, "-m", "credlift.ui.cli", "forensics", "calibrate", "--work-dir",
                                 str(tmp_path), *args], capture_output=True, text=True, timeout=900)
        assert result.returncode == 2 and says in result.stderr and "Traceback" not in result.stderr
        assert not any(tmp_path.iterdir()), "nothing is generated before the arguments are checked"


def test_quantize_trace_writes_the_8_bit_network_and_its_card_entry(tmp_path):
    """`credlift forensics quantize-trace`: calibrated on the network's own generated sets (made once), the int8 file
    beside the float network and an `int8` entry in that network's card; a reserved seed or a missing network is one
    line and exit 2, before any work."""
    from credlift.tools.forensics.signals.trace import NETWORK_PATH

    network = tmp_path / "net.onnx"
    network.write_bytes(NETWORK_PATH.read_bytes())
    command = [sys.executable, "-m", "credlift.ui.cli", "forensics", "quantize-trace", "--work-dir", str(tmp_path / "sets"),
               "--n", "8", "--seeds", "41", "--network", str(network)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0, result.stderr[-2000:]
    out = tmp_path / "net.int8.onnx"
    entry = json.loads(result.stdout)
    assert out.exists() and entry["path"] == out.name and entry["from"] == network.name
    assert entry["calibration"]["sets"] == ["synth-41-n8"] and 1 <= entry["calibration"]["pages"] <= 8
    assert json.loads((tmp_path / "net.json").read_text())["int8"] == entry
    for bad, said in ((["--seeds", "202"], "reserved"), (["--network", str(tmp_path / "none.onnx")], "does not exist")):
        before = sorted(p.name for p in (tmp_path / "sets").iterdir())
        result = subprocess.run([*command, *bad], capture_output=True, text=True, timeout=600)
        assert result.returncode == 2 and said in result.stderr and len(result.stderr.strip().splitlines()) == 1
        assert sorted(p.name for p in (tmp_path / "sets").iterdir()) == before
