"""The real development set: built from listed sources with sha256 checks (a changed file is refused), honest
derived captures, local edits saved through the same final capture as their untouched page, splits kept by
original; and its report: verdicts on untouched images per source, quality-matched ROC-AUC, reliability."""
from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
from PIL import Image

from forensic_pages import jpeg_bytes, paper
from credlift.domain.authenticity import SignalReport
from credlift.evals.realset.build import build, sha256_of, split_of
from credlift.training.forensics.dataset import ImageAnalysis, read_labels
from credlift.tools.forensics.domain import Domain
from credlift.training.forensics.real_evaluation import reliability, summarise_real


def _receipt(seed: int) -> tuple[bytes, str]:
    """A receipt-like page: lines of text with numbers, and its SROIE-style line boxes."""
    from PIL import ImageDraw, ImageFont
    import matplotlib
    from pathlib import Path

    image = Image.fromarray(paper(900, 1200, seed=seed))
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"), 26)
    boxes = []
    for row, text in enumerate(["COFFEE 2 x 4.50", "TOAST 1 x 3.20", "TAX 0.62", "TOTAL 12.82", "CASH 20.00"]):
        x, y = 80, 100 + row * 90
        draw.text((x, y), text, font=font, fill=(30, 30, 30))
        x0, y0, x1, y1 = draw.textbbox((x, y), text, font=font)
        boxes.append(f"{x0},{y0},{x1},{y0},{x1},{y1},{x0},{y1},{text}")
    return jpeg_bytes(np.asarray(image), quality=85), "\n".join(boxes) + "\n"


def _mirror(tmp_path, pages: int = 4):
    """A local git snapshot laid out as fetched snapshots are (<root>/<owner>+<name>/repo)."""
    work = tmp_path / "work"
    work.mkdir()
    files = []
    for index in range(pages):
        data, boxes = _receipt(seed=index)
        (work / f"{index}.jpg").write_bytes(data)
        (work / f"{index}.csv").write_text(boxes)
        files.append({"source": "receipts", "path": f"{index}.jpg", "boxes": f"{index}.csv",
                      "sha256": sha256_of(data)})
    git = ["git", "-c", "user.email=t@t", "-c", "user.name=t"]
    subprocess.run(git + ["init", "-q", str(work)], check=True)
    subprocess.run(git + ["-C", str(work), "add", "."], check=True)
    subprocess.run(git + ["-C", str(work), "commit", "-q", "-m", "pages"], check=True)
    commit = subprocess.run(["git", "-C", str(work), "rev-parse", "HEAD"], capture_output=True, text=True,
                            check=True).stdout.strip()
    root = tmp_path / "mirror"
    (root / "someone+receipts").mkdir(parents=True)
    subprocess.run(["git", "clone", "-q", "--bare", str(work), str(root / "someone+receipts" / "repo")], check=True)
    manifest = {"sources": {"receipts": {"kind": "git", "repo": "someone/receipts", "commit": commit,
                                         "licence": "CC0 (test)", "capture": "scan"}},
                "derive": {"every": {"messaging": 1, "recompressed": 2, "screenshot": 3}}, "files": files}
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(manifest))
    return root, path, manifest


def test_build_checks_sha256_derives_captures_and_matches_edits(tmp_path):
    root, manifest_path, manifest = _mirror(tmp_path)
    manifest["files"][3]["sha256"] = "0" * 64  # a file that changed upstream is refused, not used
    manifest_path.write_text(json.dumps(manifest))
    skipped = []
    counts = build(tmp_path / "set", root, manifest_path=manifest_path, log=skipped.append)
    assert any("sha256" in message for message in skipped)
    rows = [json.loads(line) for line in (tmp_path / "set" / "labels.jsonl").read_text().splitlines()]
    assert {r["original"] for r in rows} == {f"someone/receipts:{i}.jpg" for i in range(3)}
    assert sum(counts.values()) == len(rows)
    variants = {r["variant"] for r in rows}
    assert {"untouched", "messaging", "recompressed", "screenshot", "matched"} <= variants
    edited = [r for r in rows if r["tamper_kind"] != "none"]
    assert edited and all(r["tamper_boxes"] and r["mask"] and r["origin"] == "local-edit" for r in edited)
    for row in edited:  # the untouched twin went through the same final save: same quality, same size
        twin = next(r for r in rows if r["variant"] == "matched" and r["original"] == row["original"])
        assert twin["jpeg_quality"] == row["jpeg_quality"]
        with Image.open(tmp_path / "set" / row["file"]) as a, Image.open(tmp_path / "set" / twin["file"]) as b:
            assert a.size == b.size
            assert not np.array_equal(np.asarray(a), np.asarray(b))
    for row in rows:  # an original and all derived from it stay on one side of the split
        assert row["split"] == split_of(row["original_sha256"]) and row["licence"] == "CC0 (test)"
        assert sha256_of((tmp_path / "set" / row["file"]).read_bytes()) == row["sha256"]
    labels = read_labels(tmp_path / "set")
    assert {label.source for label in labels} == {"receipts"}
    assert "CC0 (test)" in (tmp_path / "set" / "SOURCES.md").read_text()


def test_build_script_stops_on_a_changed_file_when_strict(tmp_path):
    root, manifest_path, manifest = _mirror(tmp_path, pages=1)
    manifest["files"][0]["sha256"] = "1" * 64
    manifest_path.write_text(json.dumps(manifest))
    from credlift.evals.realset.build import SourceUnavailable

    try:
        build(tmp_path / "set", root, manifest_path=manifest_path, strict=True)
    except SourceUnavailable as error:
        assert "sha256" in str(error)
    else:
        raise AssertionError("a changed file must stop a strict build")


def test_pages_without_published_lines_are_edited_from_recorded_text_lines(tmp_path):
    """A source that publishes no line boxes: its lines are read once (`record_text_lines`, here by a reader that
    returns the drawn lines) and kept in the manifest; the build then edits those pages as it edits receipts."""
    from credlift.domain.credential import OcrLine
    from credlift.evals.realset.build import record_text_lines

    root, manifest_path, manifest = _mirror(tmp_path, pages=3)
    drawn = {}
    for entry in manifest["files"]:
        csv_text = (tmp_path / "work" / entry.pop("boxes")).read_text()
        drawn[entry["path"]] = [line.split(",") for line in csv_text.splitlines()]
    calls = []

    def read_lines(rgb):  # what the app's OCR would return for the page given (pixels of the decoded page)
        rows = drawn[f"{len(calls)}.jpg"]
        calls.append(rgb.shape)
        return [OcrLine(text=",".join(r[8:]), box=(int(r[0]), int(r[1]), int(r[2]) - int(r[0]), int(r[5]) - int(r[1])))
                for r in rows]

    record_text_lines(manifest, root, None, read_lines, log=lambda message: None)
    assert len(calls) == 3 and all(shape == (1200, 900, 3) for shape in calls)
    assert all(len(entry["text_lines"]) == 5 for entry in manifest["files"])
    record_text_lines(manifest, root, None, read_lines, log=lambda message: None)
    assert len(calls) == 3  # recorded once: a second run reads nothing again
    manifest_path.write_text(json.dumps(manifest))
    build(tmp_path / "set", root, manifest_path=manifest_path, log=lambda message: None)
    rows = [json.loads(line) for line in (tmp_path / "set" / "labels.jsonl").read_text().splitlines()]
    edited = [r for r in rows if r["tamper_kind"] != "none"]
    assert len(edited) == 3 and {r["tamper_kind"] for r in edited} == {"copy_move", "retype", "erase"}
    assert len([r for r in rows if r["variant"] == "matched"]) == 3


def test_shipped_manifest_names_a_licence_and_sha256_for_every_file():
    from credlift.evals.realset.build import load_manifest

    manifest = load_manifest()
    assert len(manifest["files"]) >= 50 and len(manifest["sources"]) >= 5
    for entry in manifest["files"]:
        source = manifest["sources"][entry["source"]]
        assert len(entry["sha256"]) == 64 and source["licence"]
        assert source["kind"] in ("git", "pypi") and (source.get("commit") or source.get("version"))
    # pages beyond the receipts can be edited too: their text lines are recorded (issue 24's set, 5 sources edited)
    editable = {entry["source"] for entry in manifest["files"] if entry.get("boxes") or entry.get("text_lines")}
    assert len(editable) >= 5


def _analysis(score: float, layout_known: bool) -> ImageAnalysis:
    signals = [SignalReport(name="trace", score=score, details={"max_prob": score, "top_mean": score, "area": 10,
                                                                "mean_prob": score / 4, "mapped": True,
                                                                "blocks": 10_000}),
               SignalReport(name="document", score=1.0)]
    return ImageAnalysis(signals=signals, seconds=1.0, domain=Domain(layout="other" if not layout_known else "cet4",
                                                                     layout_known=layout_known))


def test_real_report_counts_verdicts_per_source_and_matched_pairs(tmp_path):
    from credlift.training.forensics.dataset import LabelledImage
    from credlift.tools.forensics.fusion import default_fusion_model

    model = default_fusion_model()

    def label(name, kind, source, variant):
        return LabelledImage(path=tmp_path / name, tamper_kind=kind, tamper_boxes=[], capture="scan",
                             jpeg_quality=80, equal_quality=True, source=source, split="dev", variant=variant)

    labels = [label("a", "none", "receipts", "untouched"), label("b", "none", "receipts", "matched"),
              label("c", "retype", "receipts", "edited_retype"), label("d", "none", "ids", "untouched")]
    analyses = [_analysis(0.99, False), _analysis(0.2, False), _analysis(0.95, False), _analysis(0.1, True)]
    report = summarise_real(tmp_path, labels, analyses, model, split="dev")
    assert report.by_source["receipts"].images == 3 and report.by_source["ids"].untouched == 1
    # out of the detectors' domain: never tampered, the person is told why
    assert report.untouched_verdicts.get("tampered", 0) == 0 and report.untouched_verdicts.get("undetermined") == 2
    assert report.by_source["receipts"].undetermined_share == 1.0
    assert report.matched_pairs == 1 and report.matched_roc_auc is not None
    assert "trace" in report.matched_signal_roc_auc
    table = report.table()
    assert "receipts" in table and "reliability" in table and "JPEG quality matched" in table


def test_reliability_bins_compare_scores_with_the_share_edited():
    y = np.array([0, 0, 1, 1, 1, 0], bool)
    scores = np.array([0.05, 0.08, 0.95, 0.92, 0.55, 0.52])
    bins, ece = reliability(y, scores)
    top = next(b for b in bins if b.low == 0.9)
    assert top.images == 2 and top.edited_share == 1.0
    middle = next(b for b in bins if b.low == 0.5)
    assert middle.images == 2 and middle.edited_share == 0.5
    assert 0.0 <= ece < 0.2


def test_evaluate_command_needs_a_set_and_says_so_in_one_line():
    result = subprocess.run([sys.executable, "-m", "credlift.ui.cli", "forensics", "evaluate"], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 2 and "--real" in result.stderr and "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0


def test_each_signal_is_scored_on_the_pairs_with_an_interval(tmp_path):
    from credlift.training.forensics.dataset import LabelledImage
    from credlift.training.forensics.real_evaluation import matched_signal_aucs

    labels, analyses = [], []
    rng = np.random.default_rng(0)
    for index in range(12):
        for edited in (False, True):
            name = f"page{index}__{'edited_retype' if edited else 'matched'}.jpg"
            labels.append(LabelledImage(path=tmp_path / name, tamper_kind="retype" if edited else "none",
                                        tamper_boxes=[], capture="scan", jpeg_quality=80, equal_quality=True,
                                        source="receipts", split="dev",
                                        variant="edited_retype" if edited else "matched"))
            signals = [SignalReport(name="separates", score=0.8 if edited else 0.2),
                       SignalReport(name="coin", score=float(rng.random())),
                       SignalReport(name="constant", score=0.5)]
            analyses.append(ImageAnalysis(signals=signals, seconds=1.0))
    aucs, intervals = matched_signal_aucs(labels, analyses, rounds=200)
    assert aucs["separates"] == 1.0 and intervals["separates"] == (1.0, 1.0)
    assert "constant" not in aucs  # a signal that never varies says nothing
    low, high = intervals["coin"]
    assert low <= aucs["coin"] <= high and high - low > 0.2  # 12 pairs: chance is wide


def test_generated_pairs_share_their_final_save_and_read_as_a_real_set(tmp_path):
    from credlift.evals.synth.generate import generate_matched_pairs

    rows = generate_matched_pairs(tmp_path, pairs=2, seed=2403, types=["cet4"])
    labels = read_labels(tmp_path)
    assert len(rows) == len(labels) == 4
    for honest, edited in zip(labels[::2], labels[1::2]):
        assert honest.variant == "matched" and edited.variant.startswith("edited_") and edited.is_manipulated
        assert honest.jpeg_quality == edited.jpeg_quality and honest.path.suffix == edited.path.suffix
        with Image.open(honest.path) as a, Image.open(edited.path) as b:
            assert a.size == b.size
        assert edited.source == "synth-2403" and edited.split == "dev"
