"""`credlift check FILE... --json`: the contract per file (tools/extraction/check.CheckResult.contract), ID numbers masked, exit codes."""
from __future__ import annotations

import io
import json

import pytest
from PIL import Image


def json_lines(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


@pytest.fixture()
def files(tmp_path, credential_samples):
    from credlift.evals.synth.generate import SynthSpec, render_credential

    sample = render_credential(SynthSpec(type="cet4", seed=3, capture="scan"))
    good = tmp_path / sample.label["file"]
    good.write_bytes(sample.image_bytes)
    buffer = io.BytesIO()
    Image.fromarray(credential_samples["vocational"][1].rgb).save(buffer, format="JPEG", quality=90)
    truncated = tmp_path / "cut.jpg"
    truncated.write_bytes(buffer.getvalue()[:4000])
    pdf = tmp_path / "scan.pdf"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\n")
    return sample.label, good, truncated, pdf


def test_each_file_gets_one_json_line_in_the_contract_shape(credlift_cli, data_dir, files, tmp_path):
    label, good, truncated, pdf = files
    labels = tmp_path / "labels.jsonl"
    labels.write_text(json.dumps(label, ensure_ascii=False) + "\n", encoding="utf-8")
    code, out, _ = credlift_cli("extraction", "seed-registry", "--labels", str(labels))
    assert code == 0 and out.startswith("1 certificates added")
    code, out, _ = credlift_cli("check", str(good), str(truncated), str(pdf), "--json")
    lines = json_lines(out)
    assert code == 0 and len(lines) == 3
    first = lines[0]
    assert set(first) >= {"file", "sha256", "authenticity", "credential", "validation", "timings_ms"}
    assert set(first["authenticity"]) >= {"verdict", "score", "signals"} and 0.0 <= first["authenticity"]["score"] <= 1.0
    assert first["authenticity"]["verdict"] in ("authentic", "suspicious", "tampered", "ai_generated", "unreadable")
    assert first["credential"]["type"] == "cet4"
    fields = first["credential"]["fields"]
    assert fields["total_score"] == label["fields"]["total_score"] and isinstance(fields["total_score"], int)
    assert fields["certificate_number"] == label["fields"]["certificate_number"]
    assert fields["id_number"] == label["fields"]["id_number"][:3] + "*" * 11 + label["fields"]["id_number"][-4:]
    assert label["fields"]["id_number"] not in json.dumps(lines, ensure_ascii=False)
    assert set(first["validation"]) >= {"ok", "errors"} and first["validation"]["ok"] is True
    assert first["validation"]["registry_status"] == "verified"  # seeded above from the generator's label
    assert first["timings_ms"]["ocr"] > 0 and first["timings_ms"]["total"] >= first["timings_ms"]["ocr"]
    for broken, words in ((lines[1], "cut off"), (lines[2], "PDF")):
        assert broken["authenticity"]["verdict"] == "unreadable" and words in broken["error"]
        assert broken["credential"]["type"] == "unknown"


def test_exit_is_non_zero_only_when_no_file_could_be_read(credlift_cli, data_dir, files):
    _, _, truncated, pdf = files
    code, out, err = credlift_cli("check", str(truncated), str(pdf), "--json")
    lines = json_lines(out)
    assert code == 2 and len(lines) == 2 and err.startswith("error: ") and "Traceback" not in err


def test_the_plain_output_is_readable_sentences(credlift_cli, data_dir, files):
    _, _, truncated, pdf = files
    code, out, err = credlift_cli("check", str(truncated), str(pdf))
    assert code == 2 and out.count("unreadable:") == 2 and "cut off" in out and "PDF" in out
    assert err.strip() == "error: none of the files could be read as a credential photo"
