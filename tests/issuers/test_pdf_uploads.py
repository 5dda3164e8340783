"""PDF uploads through intake and `credlift check`: the first page is rendered (pypdfium2) and read like a scan;
a damaged, password-protected or page-less PDF is refused with its own sentence in zh and en."""
from __future__ import annotations

import json

import pytest

from credlift.errors import UnsupportedFileError
from credlift.tools.intake import load_upload, precheck, store_upload
from pdf_files import damaged_pdf, encrypted_pdf, pdf_of_image


@pytest.fixture(scope="module")
def cet4_pdf():
    from credlift.evals.synth import SynthSpec, render_credential

    sample = render_credential(SynthSpec(type="cet4", seed=5, capture="scan"))
    return sample.label, pdf_of_image(load_upload(sample.image_bytes).rgb)


def test_a_pdf_decodes_to_its_first_page_with_its_metadata_and_is_stored_as_a_pdf(cet4_pdf, data_dir):
    _, pdf = cet4_pdf
    upload = load_upload(pdf, filename="report.pdf")
    assert upload.format == "PDF" and max(upload.size) == 2400 and upload.info["pdf:pages"] == "1"
    stored = store_upload(upload, data_dir)
    assert stored.suffix == ".pdf" and stored.read_bytes() != pdf  # sealed at rest
    assert load_upload(stored).original_bytes == pdf  # and opened as sent


def test_check_reads_the_credential_on_a_pdf_page(credlift_cli, data_dir, tmp_path, cet4_pdf):
    label, pdf = cet4_pdf
    path = tmp_path / "cet4.pdf"
    path.write_bytes(pdf)
    code, out, err = credlift_cli("check", str(path), "--json")
    assert code == 0, err
    line = json.loads(out)
    assert line["credential"]["type"] == "cet4"
    assert line["credential"]["fields"]["certificate_number"] == label["fields"]["certificate_number"]
    assert line["credential"]["fields"]["total_score"] == label["fields"]["total_score"]


@pytest.mark.parametrize("data, key, english, chinese", [
    (damaged_pdf(), "pdf_broken", "damaged or incomplete", "文件损坏或不完整"),
    (encrypted_pdf(), "pdf_encrypted", "password-protected", "设有密码"),
])
def test_a_pdf_that_cannot_be_opened_is_refused_with_a_sentence(data, key, english, chinese):
    with pytest.raises(UnsupportedFileError) as refused:
        precheck(data, "report.pdf")
    assert refused.value.key == key and english in str(refused.value) and chinese in refused.value.say("zh")
    assert "report.pdf" in refused.value.say("zh")


def test_check_on_a_locked_pdf_says_why_and_exits_2(credlift_cli, data_dir, tmp_path):
    path = tmp_path / "locked.pdf"
    path.write_bytes(encrypted_pdf())
    code, out, err = credlift_cli("check", str(path), "--json")
    assert code == 2 and "password-protected" in json.loads(out)["error"] and "Traceback" not in err
    assert not (data_dir / "uploads").exists() or not any((data_dir / "uploads").rglob("*.pdf"))
