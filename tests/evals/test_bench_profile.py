"""The bench's profile of the read stage holds what the stage spends: with two lanes, the image checks beside it."""
from __future__ import annotations

from credlift import threads
from credlift.evals.bench.profile import profile_stage
from tests.forensics.forensic_pages import certificate, jpeg_bytes


def test_the_read_stage_profile_has_the_checks_that_run_beside_the_read(tmp_path, monkeypatch):
    page = tmp_path / "cet4.jpg"
    page.write_bytes(jpeg_bytes(certificate(seed=5), quality=88))
    monkeypatch.setattr(threads, "lanes", lambda: 2)
    both = profile_stage("extract", [page], top=400)
    functions = " ".join(row.function for row in both.rows)
    assert "read_page" in functions and "trace.py" in functions and "compression.py" in functions
    monkeypatch.setattr(threads, "lanes", lambda: 1)
    read_only = profile_stage("extract", [page], top=400)
    assert "read_page" in " ".join(r.function for r in read_only.rows)
    assert "trace.py" not in " ".join(r.function for r in read_only.rows)
    assert both.cpu_s > read_only.cpu_s
