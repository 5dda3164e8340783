"""Reading generated certificates: type, holder, number, school, dates and scores, per credential type."""
from __future__ import annotations

import numpy as np
import pytest

from credlift.domain.credential import CREDENTIAL_TYPES, OcrLine
from credlift.tools.extraction.backends.ocr_backend import record_from_lines
from credlift.tools.extraction.normalise import parse_date, parse_dates, parse_score, to_halfwidth
from credlift.tools.extraction.parsers.base import ParsedCredential
from credlift.tools.extraction.parsers.common import correct_school_by_code

HEADLINE = ("holder_name", "certificate_number", "school", "issue_date", "total_score")


@pytest.mark.parametrize("credential_type", CREDENTIAL_TYPES)
def test_each_credential_type_is_classified_and_its_headline_fields_read_exactly(credential_samples, credential_type):
    label, upload, page = credential_samples[credential_type]
    record = record_from_lines(page.lines, page.quality)
    assert record.type == credential_type
    for key in HEADLINE:
        if key in label["fields"]:
            assert record.fields.get(key) == label["fields"][key], key
    assert all(0.0 <= value <= 1.0 for value in record.confidence.values())


def test_type_specific_fields_are_normalised_to_their_codes(credential_samples):
    expectations = {"cet4": ("listening", "reading", "writing_translation", "exam_session", "admission_number"),
                    "graduation": ("level", "major", "study_start", "study_end", "birth_date", "gender"),
                    "degree": ("degree_level", "discipline"),
                    "vocational": ("occupation", "skill_level", "issuer"),
                    "award": ("competition", "award_level", "award_scope"),
                    "qualification": ("qualification_name", "qualification_level")}
    for credential_type, keys in expectations.items():
        label, _, page = credential_samples[credential_type]
        record = record_from_lines(page.lines, page.quality)
        for key in keys:
            assert str(record.fields.get(key)).replace(" ", "") == str(label["fields"][key]).replace(" ", ""), (credential_type, key)


def test_a_quarter_turned_or_upside_down_certificate_is_read_upright(credential_samples):
    from credlift.tools.extraction.ocr import read_page

    label, upload, _ = credential_samples["degree"]
    for turns in (1, 2):
        page = read_page(np.ascontiguousarray(np.rot90(upload.rgb, turns)))
        record = record_from_lines(page.lines, page.quality, page.rotation_degrees)
        assert page.rotation_degrees in (90, 180, 270) and "PAGE_ROTATED" in record.warning_codes
        assert record.type == "degree"
        # lines read elsewhere (credlift check shares them with forensics) still tell how far the photo was turned
        from credlift.tools.extraction.backends.ocr_backend import rotation_from_lines

        assert rotation_from_lines(page.lines) == page.rotation_degrees
        assert record.fields["certificate_number"] == label["fields"]["certificate_number"]
        assert record.fields["holder_name"] == label["fields"]["holder_name"]
        # boxes stay in the coordinates of the image given; upright boxes are what the parsers read
        height, width = page.lines[0].box[3], page.lines[0].box[2]
        assert all(0 <= line.box[0] <= upload.rgb.shape[1 - turns % 2] for line in page.lines) and height and width


def test_the_school_code_in_the_number_corrects_a_misread_school_name():
    parsed = ParsedCredential()
    parsed.set("school", "清华大字", 0.9)
    correct_school_by_code(parsed, "10003")
    assert parsed.get("school") == "清华大学"


def test_a_school_hidden_under_a_seal_is_taken_from_the_code_and_the_record_says_so():
    lines = [OcrLine(text="毕业证书", box=(500, 80, 300, 90)),
             OcrLine(text="学生 林晓雨，性别男，1999年3月12日生，于2017年9月至2021年6月在本校软件工程专业", box=(300, 300, 1000, 40)),
             OcrLine(text="四年制本科学习，修完教学计划规定的全部课程，成绩合格，准予毕业。", box=(300, 360, 1000, 40)),
             OcrLine(text="2021年6月30日", box=(1000, 900, 250, 40)),
             OcrLine(text="证书编号：100031202105123456", box=(140, 1000, 420, 30))]
    record = record_from_lines(lines)
    assert record.type == "graduation" and record.fields["school"] == "清华大学"
    assert "SCHOOL_FROM_CODE" in record.warning_codes
    assert record.fields["level"] == "bachelor" and record.fields["study_end"] == "2021-06"
    assert record.fields["gender"] == "male" and record.fields["major"] == "软件工程"


def test_a_school_name_unlike_the_coded_one_is_left_for_the_validators():
    parsed = ParsedCredential()
    parsed.set("school", "北京大学", 0.99)
    correct_school_by_code(parsed, "10003")
    assert parsed.get("school") == "北京大学"


def test_full_width_text_dates_and_scores_are_normalised():
    assert to_halfwidth("ＡＢＣ１２３：") == "ABC123:"
    assert parse_date("二〇二〇年六月三十日") == "2020-06-30"
    assert parse_date("二〇一九年十二月") == "2019-12"
    assert parse_dates("于2016年9月至2020年6月") == ["2016-09", "2020-06"]
    assert parse_date("2021.07.01") == "2021-07-01" and parse_date("2021年2月30日") == "2021-02"
    assert parse_score("５３２") == 532 and parse_score("180.5") == 180.5 and parse_score("l8O") == 180
    assert parse_score("--") is None


def test_the_award_scope_is_read_from_the_award_not_from_a_school_named_international():
    """陕西国际商贸学院 holds 国际 (international): the scope is the one the award line prints (赛区, provincial)."""
    from credlift.evals.synth import SynthSpec, render_credential
    from credlift.tools.extraction.ocr import read_page
    from credlift.tools.intake import load_upload

    sample = render_credential(SynthSpec(type="award", seed=259, fields={
        "school": "陕西国际商贸学院", "competition": "全国大学生数学建模竞赛", "award_scope": "provincial"}))
    page = read_page(load_upload(sample.image_bytes, "award.jpg").rgb)
    record = record_from_lines(page.lines, page.quality)
    assert "国际" in "".join(line.text for line in page.lines)
    assert record.fields["school"] == "陕西国际商贸学院"
    assert record.fields["award_scope"] == "provincial"
