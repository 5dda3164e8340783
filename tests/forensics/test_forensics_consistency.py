"""The content-consistency check: a printed value that contradicts the page's own sums and codes is evidence of
an edit, found on the line OCR read it from; what OCR could not read, or the pixels cannot explain, is not."""
from __future__ import annotations

import pytest

from forensic_pages import SCORE_BOX, certificate, jpeg_bytes
from credlift.tools.extraction.ocr import run_ocr
from credlift.tools.forensics import assess_authenticity
from credlift.tools.forensics.context import AnalysisContext
from credlift.tools.forensics.signals.consistency import ConsistencySignal
from credlift.tools.intake import load_upload

CET4_NUMBER = "191111001001234"  # June 2019, CET-4, site 110010, serial 01234


def _read(score: str, seed: int):
    upload = load_upload(jpeg_bytes(certificate(seed=seed, score=score, number=CET4_NUMBER), quality=90), "cet4.jpg")
    return upload, run_ocr(upload.rgb)


def _signal(report, name="consistency"):
    return next(s for s in report.signals if s.name == name)


@pytest.fixture(scope="module")
def raised_total():
    return _read("695", seed=61)  # 215 + 220 + 190 = 625 printed as 695


@pytest.fixture(scope="module")
def honest_page():
    return _read("625", seed=62)


def test_a_total_its_parts_do_not_make_is_flagged_on_its_own_line(raised_total, data_dir):
    upload, lines = raised_total
    report = assess_authenticity(upload, ocr_lines=lines, data_dir=data_dir)
    signal = _signal(report)
    assert signal.score >= 0.85 and signal.details["codes"] == "CET_PARTS_SUM"
    assert "add up to 625, not to the total of 695" in signal.summary
    x, y, w, h = SCORE_BOX
    assert any(b.y < y + h and y < b.y + b.h and b.x < x + w and x < b.x + b.w for b in signal.boxes)
    assert report.verdict in ("suspicious", "tampered") and "consistency" in report.drivers


def test_an_honest_page_read_by_ocr_agrees_with_itself(honest_page, data_dir):
    upload, lines = honest_page
    report = assess_authenticity(upload, ocr_lines=lines, data_dir=data_dir)
    signal = _signal(report)
    assert signal.details["checked"] is True and signal.score == 0.0 and signal.boxes == []
    assert report.verdict == "authentic"


def test_without_the_page_text_the_check_abstains(raised_total):
    upload, _ = raised_total
    signal = ConsistencySignal().analyse(AnalysisContext(upload=upload))
    assert signal.score == 0.0 and signal.details == {"checked": False}


def test_a_field_ocr_could_not_read_is_not_evidence_of_an_edit(honest_page):
    upload, lines = honest_page
    without_number = [line for line in lines if CET4_NUMBER not in line.text.replace(" ", "")]
    assert len(without_number) == len(lines) - 1
    signal = ConsistencySignal().analyse(AnalysisContext(upload=upload, ocr_lines=without_number))
    assert signal.details["checked"] is True and signal.score == 0.0  # the validators report CERT_NUMBER_MISSING


def test_a_contradiction_about_the_holder_is_described_without_quoting_personal_data():
    from credlift.domain.credential import ValidationFinding
    from credlift.tools.forensics.signals.consistency import _staff_sentence

    birth = ValidationFinding(code="BIRTH_DATE_MISMATCH", field="birth_date",
                              message="The birth date printed (1999-03-12) differs from the one in the ID number.")
    assert "1999" not in _staff_sentence(birth) and "BIRTH_DATE_MISMATCH" in _staff_sentence(birth)
    total = ValidationFinding(code="CET_PARTS_SUM", field="total_score", message="The part scores add up to 625.")
    assert _staff_sentence(total) == total.message


@pytest.fixture(scope="module")
def degree_pages():
    """A degree certificate of 河北科技学院 (code 13391) as issued, and with the number's first digit made 0."""
    from credlift.evals.synth import SynthSpec, render_credential
    from credlift.tools.credential_numbers import make_degree_number

    honest = make_degree_number("13391", 2018, "bachelor", 59573)
    pages = {}
    for name, number in (("honest", honest), ("edited", "0" + honest[1:])):
        sample = render_credential(SynthSpec(type="degree", seed=201, capture="scan", fields={
            "school": "河北科技学院", "degree_level": "bachelor", "issue_date": "2018-06-30", "certificate_number": number}))
        upload = load_upload(sample.image_bytes, f"degree-{name}.jpg")
        pages[name] = (upload, run_ocr(upload.rgb))
    return pages


def test_a_school_code_changed_to_one_no_school_has_contradicts_the_printed_school(degree_pages):
    """03391 is on no list, but the page names a school that is, under 13391: the number or the name was edited."""
    upload, lines = degree_pages["edited"]
    signal = ConsistencySignal().analyse(AnalysisContext(upload=upload, ocr_lines=lines))
    assert signal.details["codes"] == "SCHOOL_CODE_CONTRADICTED" and signal.score >= 0.85
    assert "13391" in signal.summary and "03391" in signal.summary
    number_line = next(line for line in lines if "03391" in line.text.replace(" ", ""))
    x, y, w, h = number_line.box
    assert any(b.x == x and b.y == y and b.w == w and b.h == h for b in signal.boxes)

    upload, lines = degree_pages["honest"]
    signal = ConsistencySignal().analyse(AnalysisContext(upload=upload, ocr_lines=lines))
    assert signal.details["checked"] is True and signal.score == 0.0
