"""Validators: one typed finding (stable code, English and Chinese sentence) per failed check."""
from __future__ import annotations

from datetime import date

import pytest

from credlift.domain.applicant import ApplicantProfile
from credlift.domain.credential import CredentialRecord
from credlift.tools import credential_numbers as numbers
from credlift.tools.extraction.validators import validate_credential
from credlift.tools.registry import LocalRegistry, RegistryEntry

TODAY = date(2025, 9, 1)
HOLDER_ID = numbers.make_resident_id("110101", date(1999, 3, 12), 21, gender="male")


def cet_record(**changes) -> CredentialRecord:
    fields = {
        "holder_name": "林晓雨", "school": "北京大学", "id_number": HOLDER_ID,
        "certificate_number": numbers.make_cet_report_number(2021, 6, "cet4", "110010", 1234),
        "admission_number": numbers.make_cet_admission_number("110010", 2021, 6, "cet4", 12, 7),
        "total_score": 532, "listening": 180, "reading": 190, "writing_translation": 162,
        "exam_session": "2021-06", "issue_date": "2021-06",
    }
    fields.update(changes)
    return CredentialRecord(type="cet4", fields={k: v for k, v in fields.items() if v is not None}, backend="test")


def graduation_record(**changes) -> CredentialRecord:
    fields = {
        "holder_name": "林晓雨", "school": "清华大学", "id_number": HOLDER_ID, "gender": "male", "birth_date": "1999-03-12",
        "certificate_number": numbers.make_graduation_number("10003", 2021, "bachelor", 123456),
        "level": "bachelor", "major": "软件工程", "study_start": "2017-09", "study_end": "2021-06", "issue_date": "2021-06-30",
    }
    fields.update(changes)
    return CredentialRecord(type="graduation", fields={k: v for k, v in fields.items() if v is not None}, backend="test")


def applicant(name: str = "林晓雨", id_number: str = HOLDER_ID) -> ApplicantProfile:
    return ApplicantProfile(account_id="acct-1", name=name, id_number=id_number, current_limit=3000, utilisation=0.2,
                            months_on_book=12, delinquent_last_12m=0)


def codes(record: CredentialRecord, **kwargs) -> list[str]:
    report = validate_credential(record, today=TODAY, **kwargs)
    return [finding.code for finding in report.findings]


def test_a_consistent_cet_report_passes_every_check():
    report = validate_credential(cet_record(), applicant=applicant(), today=TODAY)
    assert report.ok and report.findings == []


def test_a_consistent_graduation_certificate_passes_every_check():
    report = validate_credential(graduation_record(), applicant=applicant(), today=TODAY)
    assert report.ok, [f.code for f in report.findings]


def test_cet_parts_that_do_not_add_up_to_the_total_are_reported_with_both_numbers():
    report = validate_credential(cet_record(total_score=600), today=TODAY)
    finding = next(f for f in report.findings if f.code == "CET_PARTS_SUM")
    assert "532" in finding.message and "600" in finding.message and finding.message_zh
    assert not report.ok


def test_a_cet_part_above_its_maximum_is_out_of_range():
    assert "CET_SCORE_RANGE" in codes(cet_record(listening=260, total_score=612))


def test_cet_sessions_outside_june_and_december_are_impossible():
    assert "CET_SESSION_MONTH" in codes(cet_record(exam_session="2021-09", issue_date="2021-09"))


def test_the_session_coded_in_the_report_number_must_match_the_printed_one():
    assert "CET_SESSION_MISMATCH" in codes(cet_record(exam_session="2020-12", issue_date="2020-12"))


def test_a_cet6_report_with_a_cet4_number_is_a_level_mismatch():
    record = cet_record()
    record.type = "cet6"
    assert "CET_LEVEL_MISMATCH" in codes(record)


def test_an_admission_number_for_another_sitting_is_reported():
    other = numbers.make_cet_admission_number("110010", 2020, 12, "cet4", 12, 7)
    assert "CET_ADMISSION_MISMATCH" in codes(cet_record(admission_number=other))


def test_report_and_admission_numbers_from_two_test_sites_are_reported():
    other_site = numbers.make_cet_report_number(2021, 6, "cet4", "110070", 1234)  # one digit of the site copied over
    record = cet_record(certificate_number=other_site)
    assert codes(record) == ["CET_SITE_MISMATCH"]
    finding = validate_credential(record, today=TODAY).findings[0]
    assert "110070" in finding.message and "110010" in finding.message and "考点代码" in finding.message_zh
    assert codes(cet_record()) == []


@pytest.mark.parametrize("number, code", [
    ("1234", "CET_NUMBER_LENGTH"),
    ("213111001001234", "CET_NUMBER_SITTING"),
])
def test_malformed_report_numbers_carry_the_number_rule_code(number, code):
    found = codes(cet_record(certificate_number=number))
    assert any(c.startswith("CET_NUMBER") for c in found), found


def test_a_missing_certificate_number_is_reported():
    assert "CERT_NUMBER_MISSING" in codes(cet_record(certificate_number=None))


def test_an_id_number_with_a_wrong_check_character_fails_the_checksum():
    broken = HOLDER_ID[:-1] + ("0" if HOLDER_ID[-1] != "0" else "1")
    assert "ID_NUMBER_CHECKSUM" in codes(cet_record(id_number=broken))


def test_a_future_issue_date_is_reported():
    record = graduation_record(issue_date="2026-06-30")
    assert "DATE_IN_FUTURE" in codes(record)


def test_a_certificate_earned_before_the_holder_could_have_is_too_early():
    too_young = numbers.make_resident_id("110101", date(2012, 1, 1), 21, gender="male")
    record = graduation_record(id_number=too_young, birth_date="2012-01-01")
    assert "DATE_TOO_EARLY" in codes(record)


def test_an_impossible_date_is_invalid():
    assert "DATE_INVALID" in codes(graduation_record(issue_date="2021-02-30"))


def test_study_that_ends_before_it_starts_is_reported():
    assert "STUDY_DATES_ORDER" in codes(graduation_record(study_start="2021-09", study_end="2017-06"))


def test_birth_date_and_gender_must_agree_with_the_id_number():
    found = codes(graduation_record(birth_date="1998-03-12", gender="female"))
    assert "BIRTH_DATE_MISMATCH" in found and "GENDER_MISMATCH" in found


def test_the_school_code_inside_the_number_must_name_the_printed_school():
    report = validate_credential(graduation_record(school="北京大学"), today=TODAY)
    finding = next(f for f in report.findings if f.code == "SCHOOL_CODE_MISMATCH")
    assert "10003" in finding.message and "清华大学" in finding.message


def test_a_school_code_not_on_the_ministry_list_is_a_warning_when_the_printed_school_is_not_either():
    number = "99999" + "1" + "2021" + "05" + "123456"
    report = validate_credential(graduation_record(certificate_number=number, school="某某职业技术学院"), today=TODAY)
    assert "SCHOOL_CODE_UNKNOWN" in [f.code for f in report.findings if f.severity == "warning"]
    assert report.ok


def test_an_unlisted_code_under_a_listed_school_contradicts_it():
    # one digit of Tsinghua's code 10003 changed: no school has 00003, and the page names Tsinghua
    number = "00003" + "1" + "2021" + "05" + "123456"
    report = validate_credential(graduation_record(certificate_number=number), today=TODAY)
    finding = next(f for f in report.findings if f.code == "SCHOOL_CODE_CONTRADICTED")
    assert finding.severity == "error" and not report.ok
    assert "10003" in finding.message and "00003" in finding.message and "清华大学" in finding.message
    assert "10003" in finding.message_zh


def test_a_printed_level_other_than_the_coded_level_is_a_mismatch():
    assert "LEVEL_MISMATCH" in codes(graduation_record(level="master"))


def test_a_graduation_year_other_than_the_coded_year_is_a_mismatch():
    assert "YEAR_MISMATCH" in codes(graduation_record(study_end="2022-06", issue_date="2022-06-30"))


def test_a_holder_other_than_the_account_holder_is_a_name_mismatch_with_masked_names():
    report = validate_credential(cet_record(holder_name="王伟"), applicant=applicant(), today=TODAY)
    finding = next(f for f in report.findings if f.code == "NAME_MISMATCH")
    assert "王伟" not in finding.message and "王*" in finding.message and "林**" in finding.message


def test_another_persons_id_number_is_an_id_mismatch():
    other = numbers.make_resident_id("310101", date(1998, 5, 2), 33, gender="female")
    assert "ID_MISMATCH" in codes(cet_record(), applicant=applicant(id_number=other))


def test_a_degree_without_an_id_number_must_print_the_account_holders_birth_date_and_gender():
    # the name edited onto someone else's certificate: the birth date and gender left behind are that person's
    borrowed = graduation_record(id_number=None, birth_date="2000-08-01", gender="female")
    report = validate_credential(borrowed, applicant=applicant(), today=TODAY)
    found = {f.code: f for f in report.findings}
    assert not report.ok and {"HOLDER_BIRTH_MISMATCH", "HOLDER_GENDER_MISMATCH"} <= set(found)
    assert found["HOLDER_BIRTH_MISMATCH"].field == "birth_date" and "出生日期" in found["HOLDER_BIRTH_MISMATCH"].message_zh
    # possibly another person's data: the finding names the field, not the value
    assert all("2000-08-01" not in f.message + f.message_zh for f in report.findings)


def test_a_degree_without_an_id_number_that_is_the_account_holders_passes():
    report = validate_credential(graduation_record(id_number=None), applicant=applicant(), today=TODAY)
    assert report.ok and not [f.code for f in report.findings if f.code.startswith("HOLDER_")]


def test_without_an_account_the_printed_birth_date_is_not_compared_with_anyone():
    assert "HOLDER_BIRTH_MISMATCH" not in codes(graduation_record(id_number=None, birth_date="2000-08-01"))


def test_an_unreadable_name_is_a_warning_not_an_error():
    report = validate_credential(cet_record(holder_name=None), applicant=applicant(), today=TODAY)
    assert report.ok and "NAME_MISSING" in [f.code for f in report.findings]


def test_a_document_of_no_accepted_type_is_reported():
    assert codes(CredentialRecord(type="other")) == ["TYPE_UNKNOWN"]


def test_the_registry_verifies_an_issued_certificate_and_flags_a_changed_score(tmp_path):
    registry = LocalRegistry(tmp_path / "registry.sqlite3")
    record = cet_record()
    registry.add(RegistryEntry(credential_type="cet4", certificate_number=str(record.fields["certificate_number"]),
                               holder_name="林晓雨", fields=dict(record.fields)))
    assert validate_credential(record, registry=registry, today=TODAY).registry_status == "verified"
    forged = cet_record(total_score=640, listening=230, reading=230, writing_translation=180)
    report = validate_credential(forged, registry=registry, today=TODAY)
    assert report.registry_status == "mismatch" and "REGISTRY_MISMATCH" in report.error_codes
    assert "total_score" in next(f for f in report.findings if f.code == "REGISTRY_MISMATCH").message


def test_a_certificate_the_registry_never_issued_is_not_found(tmp_path):
    registry = LocalRegistry(tmp_path / "registry.sqlite3")
    report = validate_credential(cet_record(), registry=registry, today=TODAY)
    assert report.registry_status == "not_found" and "REGISTRY_NOT_FOUND" in [f.code for f in report.findings]


def test_an_unreachable_registry_is_unavailable_not_an_error():
    from credlift.errors import BackendUnavailableError

    class DownRegistry:
        def lookup(self, credential_type, certificate_number):
            raise BackendUnavailableError("down")

    report = validate_credential(cet_record(), registry=DownRegistry(), today=TODAY)
    assert report.registry_status == "unavailable" and report.ok


def test_every_finding_has_an_english_and_a_chinese_sentence():
    record = graduation_record(school="北京大学", level="master", issue_date="2026-01-01", birth_date="1998-01-01")
    report = validate_credential(record, applicant=applicant(name="王伟"), today=TODAY)
    assert len(report.findings) >= 4
    for finding in report.findings:
        assert finding.message.endswith(".") and finding.message_zh, finding
        assert "{" not in finding.message and "{" not in finding.message_zh
