"""The shared number rules: layouts of knowledge/reference/credential-numbers.md, parse and make agree."""
from __future__ import annotations

from datetime import date

import pytest

from credlift.tools import credential_numbers as cn
from credlift.tools.credential_numbers import NumberFormatError


def test_every_layout_has_the_documented_length():
    lengths = {kind: sorted({layout.length for layout in layouts}) for kind, layouts in cn.NUMBER_LAYOUTS.items()}
    assert lengths["graduation"] == [17, 18]
    assert lengths["degree"] == [16, 17]
    assert lengths["cet"] == [15]
    assert lengths["cet_admission"] == [15]
    assert lengths["vocational"] == [22]


def test_graduation_number_splits_into_school_type_year_level_serial():
    parsed = cn.parse_graduation_number("100031202005000123")
    assert (parsed.school_code, parsed.schooling_type, parsed.year) == ("10003", "regular", 2020)
    assert (parsed.level, parsed.serial, parsed.variant) == ("bachelor", "000123", "standard")
    assert parsed.school_name == "清华大学"


@pytest.mark.parametrize("code,level", [("01", "doctorate"), ("02", "master"), ("04", "second_bachelor"),
                                        ("05", "bachelor"), ("06", "junior_college")])
def test_graduation_level_codes_map_to_canonical_levels(code, level):
    assert cn.parse_graduation_number(f"10001120{18}{code}000001").level == level


def test_graduation_numbers_from_2001_have_seventeen_digits():
    parsed = cn.parse_graduation_number("10003120010501234")
    assert parsed.variant == "early_2001" and parsed.serial == "01234"
    assert cn.make_graduation_number("10003", 2001, "bachelor", 1234) == "10003120010501234"


@pytest.mark.parametrize("number,code", [
    ("1000312020050001", "GRAD_NUMBER_LENGTH"),
    ("100032202005000123", "GRAD_NUMBER_SCHOOLING_TYPE"),
    ("100031202003000123", "GRAD_NUMBER_LEVEL"),
    ("100031197005000123", "GRAD_NUMBER_YEAR"),
    ("10003120200500012A", "GRAD_NUMBER_FORMAT"),
])
def test_malformed_graduation_numbers_raise_a_typed_error_with_a_stable_code(number, code):
    with pytest.raises(NumberFormatError) as caught:
        cn.parse_graduation_number(number, today=date(2025, 6, 1))
    assert caught.value.code == code
    assert caught.value.message.endswith(".")


def test_degree_number_variants_with_letters_are_understood():
    assert cn.parse_degree_number("1000342020001234").degree_level == "bachelor"
    double = cn.parse_degree_number("1000332020S00042")
    assert (double.degree_level, double.variant_kind) == ("master", "double_degree")
    adult = cn.parse_degree_number("C1000342020001234")
    assert (adult.prefix_letter, adult.variant) == ("C", "prefixed")
    with pytest.raises(NumberFormatError) as caught:
        cn.parse_degree_number("1000352020001234")
    assert caught.value.code == "DEGREE_NUMBER_LEVEL"


def test_cet_report_number_carries_year_sitting_level_site_and_serial():
    parsed = cn.parse_cet_report_number("191211001001234")
    assert (parsed.exam_session, parsed.level, parsed.site_code, parsed.serial) == ("2019-06", "cet6", "110010", "01234")
    december = cn.parse_cet_report_number(cn.make_cet_report_number(2023, 12, "cet4", "440010", 7))
    assert (december.exam_session, december.level) == ("2023-12", "cet4")
    with pytest.raises(NumberFormatError) as caught:
        cn.parse_cet_report_number("193211001001234")
    assert caught.value.code == "CET_NUMBER_SITTING"


def test_cet_admission_number_round_trips():
    number = cn.make_cet_admission_number("110010", 2022, 6, "cet6", 12, 7)
    parsed = cn.parse_cet_admission_number(number)
    assert (parsed.exam_session, parsed.level, parsed.room, parsed.seat) == ("2022-06", "cet6", "012", "07")


def test_vocational_number_has_22_characters_and_a_skill_level():
    number = cn.make_vocational_number("S", "1234", "44", "123456", 2022, "4", 12)
    assert len(number) == 22
    parsed = cn.parse_vocational_number(number)
    assert (parsed.issuer_kind, parsed.province, parsed.year, parsed.skill_level) == (
        "assessment_organisation", "广东省", 2022, "4")
    with pytest.raises(NumberFormatError) as caught:
        cn.parse_vocational_number("X" + number[1:])
    assert caught.value.code == "VOC_NUMBER_ISSUER"


def test_invented_award_and_qualification_layouts_round_trip():
    award = cn.parse_award_number(cn.make_award_number("IGEM", 2023, "international", "gold", 12))
    assert (award.award_scope, award.award_level, award.competition) == ("international", "gold", "国际遗传工程机器大赛")
    qualification = cn.parse_qualification_number(cn.make_qualification_number("33", 2023, "intermediate", "0101", 5))
    assert qualification.qualification_level == "intermediate"


def test_resident_ids_are_checked_by_python_stdnum_and_never_hand_rolled():
    number = cn.make_resident_id("110101", date(1999, 5, 17), 42, gender="female")
    parsed = cn.parse_resident_id(number)
    assert (parsed.birth_date, parsed.gender) == (date(1999, 5, 17), "female")
    broken = number[:-1] + ("0" if number[-1] != "0" else "1")
    with pytest.raises(NumberFormatError) as caught:
        cn.parse_resident_id(broken)
    assert caught.value.code == "ID_NUMBER_CHECKSUM"


@pytest.mark.parametrize("area_code", cn.RESIDENT_AREA_CODES)
def test_generator_area_codes_are_valid_for_every_birth_year_used(area_code):
    for year in (1970, 1985, 1996, 2008):
        cn.parse_resident_id(cn.make_resident_id(area_code, date(year, 2, 28), 101))


def test_numbers_read_by_ocr_are_normalised_before_parsing():
    assert cn.parse_cet_report_number("１９１２ 110010-01234").number == "191211001001234"


def test_parse_certificate_number_dispatches_by_credential_type():
    assert cn.parse_certificate_number("cet4", "191111001001234").level == "cet4"
    with pytest.raises(NumberFormatError):
        cn.parse_certificate_number("other", "123")


def test_schools_table_is_indexed_by_code_and_by_name():
    assert cn.schools_by_code()["10001"].name == "北京大学"
    assert cn.schools_by_name()["清华大学"].code == "10003"
    assert len(cn.load_schools()) == 2919
