"""The CHSI online verification report (学信网在线验证报告) as a credential: read as the graduation record it
certifies with its online verification code, looked up at CHSI by that code, the code masked in the CLI."""
from __future__ import annotations

import pytest

from credlift.evals.issuer_simulator import IssuerBooks, IssuerSimulator
from credlift.evals.synth import SynthSpec, render_credential
from credlift.evals.synth.templates import SynthSpecError
from credlift.tools.extraction import extract_credential
from credlift.tools.intake import load_upload
from credlift.tools.issuers import HttpIssuerRegistry, IssuerClient
from credlift.tools.registry import check_against_registry, entry_from_label
from pdf_files import pdf_of_image

CODE = "A7KD9QXM3PLR8TWZ"


@pytest.fixture(scope="module")
def report():
    return render_credential(SynthSpec(type="graduation", seed=2601, capture="scan",
                                       fields={"verification_code": CODE, "level": "bachelor"}))


@pytest.mark.parametrize("as_pdf", [False, True])
def test_the_report_is_read_as_the_graduation_record_with_its_code(report, as_pdf):
    data = report.image_bytes
    if as_pdf:
        data = pdf_of_image(load_upload(data).rgb)
    record = extract_credential(load_upload(data, filename="report.pdf" if as_pdf else "report.jpg"))
    assert record.type == "graduation"
    expected = report.label["fields"]
    for key in ("verification_code", "holder_name", "certificate_number", "school", "level", "issue_date",
                "study_end", "birth_date"):
        assert record.fields.get(key) == expected[key], key


def test_chsi_is_asked_by_the_code_and_the_record_compared(report):
    record = extract_credential(load_upload(report.image_bytes))
    books = IssuerBooks()
    with IssuerSimulator(books) as simulator:
        issuers = HttpIssuerRegistry(IssuerClient(simulator.base_url, sleep=lambda s: None))
        assert check_against_registry(record, issuers).status == "not_found"
        assert books.add_entry(entry_from_label(report.label))
        check = check_against_registry(record, issuers)
        assert (check.status, check.source) == ("verified", "issuer:chsi")
        assert simulator.calls == {"chsi": 2}


def test_a_code_is_sixteen_letters_and_digits():
    with pytest.raises(SynthSpecError, match="16 characters"):
        render_credential(SynthSpec(type="graduation", seed=1, fields={"verification_code": "SHORT"}))


def test_the_check_command_masks_the_code():
    from credlift.ui.commands.check import masked

    line = {"credential": {"type": "graduation", "fields": {"holder_name": "王伟", "verification_code": CODE}}}
    shown = masked(line)["credential"]["fields"]
    assert shown["verification_code"] == "A7KD**********WZ" and CODE not in str(masked(line))
