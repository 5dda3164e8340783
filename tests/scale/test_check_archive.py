"""`credlift check DIR --ray`: an archive re-checked on Ray Data into a JSONL file keyed by content hash, the same
lines as in-process, progress per file, and resumable (a second run skips what is done; a torn run finishes)."""
from __future__ import annotations

import json
import shutil
import sys

import pytest


def run_cli(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    from credlift.ui.cli import main

    monkeypatch.setattr(sys, "argv", ["credlift", *args])
    code = 0
    try:
        main()
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def rows(path) -> list[dict]:
    """The whole lines (a line torn by an interrupted run is not one)."""
    whole = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            whole.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return whole


def comparable(row: dict) -> dict:
    return {key: value for key, value in row.items() if key != "timings_ms"}


@pytest.mark.timeout(900)
def test_an_archive_is_rechecked_on_ray_resumably(monkeypatch, capsys, data_dir, tmp_path, scale_uploads, local_ray):
    from credlift.tools.extraction.recheck import detector_fingerprint, done_keys, file_sha256

    archive = tmp_path / "archive"
    (archive / "2025").mkdir(parents=True)
    honest, forged = scale_uploads
    shutil.copy(honest, archive / honest.name)
    shutil.copy(forged, archive / "2025" / forged.name)
    shutil.copy(honest, archive / "2025" / "same-bytes-again.png")  # checked once: the same content hash
    (archive / "torn.jpg").write_bytes(honest.read_bytes()[:2000])
    out = tmp_path / "results.jsonl"

    code, stdout, stderr = run_cli(monkeypatch, capsys, "check", str(archive), "--ray", "--out", str(out))
    assert code == 0, stderr
    assert "4 files: 3 checked" in stdout and "1 skipped" in stdout and str(out) in stdout
    assert "[3/3]" in stderr  # progress, one line per file
    on_ray = {row["sha256"]: row for row in rows(out)}
    assert len(on_ray) == 3 and set(on_ray) == {file_sha256(p) for p in (honest, forged, archive / "torn.jpg")}
    assert {row["detector"] for row in on_ray.values()} == {detector_fingerprint()}
    assert on_ray[file_sha256(archive / "torn.jpg")]["authenticity"]["verdict"] == "unreadable"
    assert on_ray[file_sha256(honest)]["credential"]["type"] == "cet4"
    assert "*" in on_ray[file_sha256(honest)]["credential"]["fields"]["id_number"]  # masked as the CLI masks
    assert done_keys(out, "another-detector") == set()  # after a detector update, everything is checked again

    # the same lines as the in-process check of the same folder
    here = tmp_path / "here.jsonl"
    code, stdout, stderr = run_cli(monkeypatch, capsys, "check", str(archive), "--out", str(here))
    assert code == 0, stderr
    in_process = {row["sha256"]: row for row in rows(here)}
    assert {k: comparable(v) for k, v in in_process.items()} == {k: comparable(v) for k, v in on_ray.items()}

    # a second run skips everything (Ray is not even asked)
    code, stdout, stderr = run_cli(monkeypatch, capsys, "check", str(archive), "--ray", "--out", str(out))
    assert code == 0 and "0 checked" in stdout and "4 skipped" in stdout
    assert len(rows(out)) == 3

    # an interrupted run: the last line torn mid-write; the next run checks exactly that file again
    lines = out.read_text(encoding="utf-8").splitlines()
    out.write_text("\n".join(lines[:-1]) + "\n" + lines[-1][:40], encoding="utf-8")
    code, stdout, stderr = run_cli(monkeypatch, capsys, "check", str(archive), "--ray", "--out", str(out))
    assert code == 0 and "1 checked" in stdout and "3 skipped" in stdout, stdout
    assert len(rows(out)) == 3 and {row["sha256"] for row in rows(out)} == set(on_ray)


def test_bad_archive_arguments_exit_2_with_one_line(monkeypatch, capsys, data_dir, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, stderr = run_cli(monkeypatch, capsys, "check", str(empty), "--ray")
    assert code == 2 and stderr.strip() == f"error: {empty} holds no files to check"
    picture = tmp_path / "x.jpg"
    picture.write_bytes(b"\xff\xd8\xff")
    code, _, stderr = run_cli(monkeypatch, capsys, "check", str(picture), "--ray")
    assert code == 2 and "for a folder" in stderr and len(stderr.strip().splitlines()) == 1
