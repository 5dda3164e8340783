"""Hostile uploads generated at test time (evals/hostile: bombs, 16-bit PNGs, truncated, polyglot, zero-byte,
FIFO, symlinks, wrong extensions, huge dimensions, random bytes behind image signatures): no traceback, refused
files never stored, a sentence for people, and a non-zero exit from `credlift apply`."""
from __future__ import annotations

import hashlib
import sys
import warnings

import pytest

from credlift.errors import UnsupportedFileError
from credlift.evals.hostile import make_hostile_files


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    return make_hostile_files(tmp_path_factory.mktemp("hostile") / "files")


def test_every_hostile_file_is_refused_with_a_sentence_or_read_never_a_traceback(hostile):
    from credlift.tools.intake import load_upload

    assert len(hostile) >= 250
    refused, accepted, crashed = {}, [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for path, kind in hostile:
            try:
                load_upload(path)
                accepted.append((path.name, kind))
            except UnsupportedFileError as error:
                refused[path.name] = str(error)
            except Exception as error:  # noqa: BLE001  (what this test counts)
                crashed.append((path.name, kind, repr(error)))
    assert not crashed
    assert len(refused) >= 220, accepted
    for name, message in refused.items():
        assert message and "Error" not in message and "Traceback" not in message and "None" not in message, name
    assert "not a regular file" in refused["pipe.jpg"] and "not a regular file" in refused["to-fifo.jpg"]
    assert "not a regular file" in refused["to-dev-zero.jpg"]
    kinds_refused = {kind for path, kind in hostile if path.name in refused}
    assert {"bomb", "16-bit", "truncated", "zero-byte", "fifo", "symlink", "wrong-extension", "oversize",
            "huge-dimensions", "polyglot"} <= kinds_refused
    # everything accepted is a real, bounded image (odd modes, multi-frame, a polyglot that is a JPEG first)
    assert {kind for _, kind in accepted} <= {"odd-mode", "multi-frame", "polyglot", "huge-dimensions"}


def test_refused_files_are_never_stored(service, new_account, hostile, agent_data_dir):
    profile = new_account("demo-graduate-01")
    thread_id = service.start(profile.account_id).thread_id
    chosen = [(path, kind) for path, kind in hostile
              if kind in ("zero-byte", "bomb", "16-bit", "wrong-extension", "truncated", "random-with-signature")]
    chosen = chosen[::max(1, len(chosen) // 24)]
    digests = set()
    for path, _ in chosen:
        data = path.read_bytes()
        digests.add(hashlib.sha256(data).hexdigest())
        result = service.upload(thread_id, [(path.name, data)])
        text = "\n".join(result.replies)
        assert text and "Error" not in text and "Traceback" not in text, path.name
        assert result.decision is None or result.decision.increase == 0
    stored = {p.name.split(".")[0] for p in agent_data_dir.rglob("*") if p.is_file()}
    assert not digests & stored, "a refused file was stored"


@pytest.mark.parametrize("name, words", [("pipe.jpg", "not a regular file"), ("to-dev-zero.jpg", "not a regular file"),
                                         ("zero.jpg", "empty"), ("sixteen-bit-0.png", "16 bits"),
                                         ("wrong-ext-0.jpg", "PDF"), ("oversize.jpg", "MB"),
                                         ("bomb-0.png", "large"), ("bomb-7.png", "megapixels")])
def test_credlift_apply_exits_non_zero_on_a_refused_file(monkeypatch, capsys, hostile, name, words):
    from credlift.ui.cli import main

    path = next(p for p, _ in hostile if p.name == name)
    monkeypatch.setattr(sys, "argv", ["credlift", "apply", str(path), "--account", "demo-graduate-01", "--json"])
    with pytest.raises(SystemExit) as exit_:
        main()
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and err.startswith("error: ") and words in err and "Traceback" not in err
