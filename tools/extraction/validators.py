"""Checks on a read credential: number formats, internal consistency, dates, ID number, name, issuer registry.

Each failure is one `ValidationFinding` with a stable code and a sentence in English and Chinese. Number rules
come from `credlift.tools.credential_numbers` (the one table the generator uses too). A mismatch is evidence to
weigh, not proof of forgery: the policy engine decides what a finding means.
"""
from __future__ import annotations

import re
from datetime import date

from credlift.domain.applicant import ApplicantProfile
from credlift.domain.credential import CredentialRecord, ValidationFinding, ValidationReport
from credlift.tools import credential_numbers as numbers
from credlift.tools import credentials as credential_registry
from credlift.tools.credentials.base import load
from credlift.tools.extraction.normalise import clean
from credlift.tools.registry import IssuerRegistry, check_against_registry

#: youngest plausible age at which each credential (or "type:level") is earned: from each type's spec
MINIMUM_AGE = credential_registry.MINIMUM_AGE

# code -> (English, Chinese); {placeholders} are filled from the finding's details
MESSAGES: dict[str, tuple[str, str]] = {
    "CERT_NUMBER_MISSING": ("The certificate number could not be read.", "未能识别证书编号。"),
    "TYPE_UNKNOWN": ("The document is not a credential type we accept.", "该文件不是我们受理的证书类型。"),
    "SCHOOL_CODE_MISMATCH": ("The school code {school_code} in the certificate number belongs to {expected}, but the "
                             "certificate names {found}.", "证书编号中的学校代码 {school_code} 对应 {expected}，但证书上的学校为 {found}。"),
    "SCHOOL_CODE_CONTRADICTED": ("The certificate names {found}, whose code is {expected}, but the certificate number "
                                 "carries {school_code}, a code on no school of the Ministry of Education's list.",
                                 "证书上的学校 {found} 代码为 {expected}，但证书编号中的学校代码为 {school_code}，不在教育部高校名单中。"),
    "SCHOOL_CODE_UNKNOWN": ("The school code {school_code} in the certificate number is not on the Ministry of Education's list.",
                            "证书编号中的学校代码 {school_code} 不在教育部高校名单中。"),
    "LEVEL_MISMATCH": ("The level printed ({found}) does not match the level coded in the certificate number ({expected}).",
                       "证书上的层次（{found}）与证书编号中的层次代码（{expected}）不一致。"),
    "YEAR_MISMATCH": ("The year in the certificate number ({expected}) does not match the date printed ({found}).",
                      "证书编号中的年份（{expected}）与证书上的日期（{found}）不一致。"),
    "CET_LEVEL_MISMATCH": ("The report number is coded for {expected}, but the report reads as {found}.",
                           "成绩报告单编号对应 {expected}，但报告单显示为 {found}。"),
    "CET_SESSION_MISMATCH": ("The exam session in the report number ({expected}) does not match the one printed ({found}).",
                             "成绩报告单编号中的考试时间（{expected}）与报告单上的考试时间（{found}）不一致。"),
    "CET_SESSION_MONTH": ("CET exams are held in June and December only, but the report says {found}.",
                          "四六级考试只在六月和十二月举行，但报告单上的考试时间为 {found}。"),
    "CET_PARTS_SUM": ("The part scores add up to {expected}, not to the total of {found}.",
                      "各部分分数之和为 {expected}，与总分 {found} 不符。"),
    "CET_SCORE_RANGE": ("The {field} score {found} is above its maximum of {expected}.", "{field} 分数 {found} 超过满分 {expected}。"),
    "CET_ADMISSION_MISMATCH": ("The admission number is for {found}, which does not match the report ({expected}).",
                               "准考证号对应 {found}，与成绩报告单（{expected}）不一致。"),
    "CET_SITE_MISMATCH": ("The test site coded in the report number ({expected}) is not the one in the admission number ({found}).",
                          "成绩报告单编号中的考点代码（{expected}）与准考证号中的考点代码（{found}）不一致。"),
    "DATE_INVALID": ("The {field} '{found}' is not a valid date.", "{field}“{found}”不是有效日期。"),
    "DATE_IN_FUTURE": ("The {field} {found} is in the future.", "{field} {found} 晚于今天。"),
    "DATE_TOO_EARLY": ("The {field} {found} is before the holder could have earned this credential (born {expected}).",
                       "{field} {found} 早于持证人可能取得该证书的时间（出生于 {expected}）。"),
    "STUDY_DATES_ORDER": ("The study period ends ({found}) before it starts ({expected}).",
                          "学习结束时间（{found}）早于开始时间（{expected}）。"),
    "BIRTH_DATE_MISMATCH": ("The birth date printed ({found}) differs from the one in the ID number.",
                            "证书上的出生日期（{found}）与身份证号码中的出生日期不一致。"),
    "GENDER_MISMATCH": ("The gender printed ({found}) differs from the one coded in the ID number.",
                        "证书上的性别（{found}）与身份证号码中的性别不一致。"),
    "NAME_MISMATCH": ("The holder's name on the certificate ({found}) is not the account holder's verified name ({expected}).",
                      "证书上的持证人姓名（{found}）与账户实名（{expected}）不一致。"),
    "NAME_MISSING": ("The holder's name could not be read, so it was not compared with the account.",
                     "未能识别持证人姓名，无法与账户实名核对。"),
    # the printed values are left out: they may be another person's, and the reviewer has the image
    "HOLDER_BIRTH_MISMATCH": ("The birth date printed is not the account holder's (as coded in their verified ID number).",
                              "证书上的出生日期与账户实名身份证号码中的出生日期不一致。"),
    "HOLDER_GENDER_MISMATCH": ("The gender printed is not the account holder's (as coded in their verified ID number).",
                               "证书上的性别与账户实名身份证号码中的性别不一致。"),
    "ID_MISMATCH": ("The ID number on the certificate is not the account holder's ID number.",
                    "证书上的身份证号码与账户身份证号码不一致。"),
    "VALIDITY_MISSING": ("The end of the validity period could not be read.", "未能识别证件的有效期截止日期。"),
    "CREDENTIAL_EXPIRED": ("The credential was valid until {found}; it has expired.", "该证件有效期至 {found}，已过期。"),
    "VALIDITY_ORDER": ("The validity period ends ({found}) before it starts ({expected}).",
                       "有效期截止日期（{found}）早于起始日期（{expected}）。"),
    "REGISTRY_NOT_FOUND": ("The issuer's registry has no certificate with this number.", "发证机构的登记系统中查无此证书编号。"),
    "REGISTRY_MISMATCH": ("The issuer's registry records different {found} for this certificate number.",
                          "发证机构登记的 {found} 与证书不一致。"),
    "REGISTRY_UNAVAILABLE": ("The issuer's registry could not be reached; the certificate was not checked against it.",
                             "暂时无法连接发证机构的登记系统，未能核验。"),
}

_ZH_FIELD = {"valid_from": "有效期起始日期", "valid_until": "有效期截止日期", "issue_date": "发证日期", "exam_session": "考试时间", "study_end": "毕业时间", "study_start": "入学时间",
             "birth_date": "出生日期", "total_score": "总分", "listening": "听力", "reading": "阅读",
             "writing_translation": "写作和翻译"}


def finding(finding_code: str, field: str | None = None, severity: str = "error", **details: object) -> ValidationFinding:
    """A finding with its sentences filled in (unknown codes carry their own message in details)."""
    code = finding_code
    english, chinese = MESSAGES.get(code, (str(details.get("message", code)), str(details.get("message_zh", ""))))
    values = {"field": field or "", **{k: v for k, v in details.items() if k not in ("message", "message_zh")}}
    values_zh = {**values, "field": _ZH_FIELD.get(field or "", field or "")}
    return ValidationFinding(code=code, severity=severity, field=field,
                             message=_fill(english, values), message_zh=_fill(chinese, values_zh))


def _fill(template: str, values: dict[str, object]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: str(values.get(m.group(1), m.group(0))), template)


def validate_credential(record: CredentialRecord, applicant: ApplicantProfile | None = None,
                        registry: IssuerRegistry | None = None, today: date | None = None) -> ValidationReport:
    today = today or date.today()
    findings: list[ValidationFinding] = []
    if record.type in ("other", "unknown"):
        findings.append(finding("TYPE_UNKNOWN", field="type"))
        return ValidationReport(findings=findings, registry_status="not_applicable")

    spec = credential_registry.spec_for(record.type)
    parsed = _check_number(record, findings, today)
    birth = _check_id_number(record, findings)
    _check_dates(record, findings, today, birth)
    for check in spec.checks if spec is not None else ():  # the type's own checks (its spec)
        load(check)(record, parsed, findings, today=today)
    if parsed is not None and spec is not None:
        _check_number_consistency(record, parsed, findings, spec)
    _check_holder(record, applicant, findings)

    check = check_against_registry(record, registry)
    if check.status == "not_found":
        findings.append(finding("REGISTRY_NOT_FOUND", field="certificate_number", severity="warning"))
    elif check.status == "mismatch":
        findings.append(finding("REGISTRY_MISMATCH", field=check.mismatched_fields[0],
                                found=", ".join(check.mismatched_fields)))
    elif check.status == "unavailable":
        findings.append(finding("REGISTRY_UNAVAILABLE", severity="warning"))
    return ValidationReport(findings=findings, registry_status=check.status)


def _check_number(record: CredentialRecord, findings: list[ValidationFinding], today: date):
    number = record.fields.get("certificate_number")
    if not number:
        findings.append(finding("CERT_NUMBER_MISSING", field="certificate_number"))
        return None
    try:
        return numbers.parse_certificate_number(record.type, str(number), today=today)
    except numbers.NumberFormatError as error:
        findings.append(finding(error.code, field="certificate_number", message=error.message,
                                message_zh=f"证书编号格式不符：{error.message}"))
        return None


def _check_id_number(record: CredentialRecord, findings: list[ValidationFinding]) -> date | None:
    id_number = record.fields.get("id_number")
    birth: date | None = None
    if id_number:
        try:
            resident = numbers.parse_resident_id(str(id_number))
        except numbers.NumberFormatError as error:
            findings.append(finding(error.code, field="id_number", message=error.message,
                                    message_zh="身份证号码无效（校验位、出生日期或地区码不符）。"))
        else:
            birth = resident.birth_date
            birth_differs, gender_differs = _printed_birth_and_gender_differ(record, resident)
            if birth_differs:
                findings.append(finding("BIRTH_DATE_MISMATCH", field="birth_date", found=record.fields["birth_date"]))
            if gender_differs:
                findings.append(finding("GENDER_MISMATCH", field="gender", found=record.fields["gender"]))
    return birth or _as_date(record.fields.get("birth_date"))


def _check_dates(record: CredentialRecord, findings: list[ValidationFinding], today: date, birth: date | None) -> None:
    for key in ("issue_date", "exam_session", "study_start", "study_end", "birth_date", "valid_from"):
        value = record.fields.get(key)
        if value in (None, ""):
            continue
        parsed = _as_date(value)
        if parsed is None:
            findings.append(finding("DATE_INVALID", field=key, found=value))
            continue
        if parsed > today:
            findings.append(finding("DATE_IN_FUTURE", field=key, found=value))
    issued = _as_date(record.fields.get("issue_date"))
    if issued and birth:
        level_field = credential_registry.LEVEL_FIELDS.get(record.type, "")
        level = record.fields.get(level_field) if level_field else None
        minimum = MINIMUM_AGE.get(f"{record.type}:{level}", MINIMUM_AGE.get(record.type, 14))
        if _age_on(birth, issued) < minimum:
            findings.append(finding("DATE_TOO_EARLY", field="issue_date", found=record.fields["issue_date"],
                                    expected=birth.isoformat()))
    start, end = _as_date(record.fields.get("study_start")), _as_date(record.fields.get("study_end"))
    if start and end and end <= start:
        findings.append(finding("STUDY_DATES_ORDER", field="study_end", found=record.fields["study_end"],
                                expected=record.fields["study_start"]))


def check_cet(record: CredentialRecord, parsed, findings: list[ValidationFinding], today: date | None = None) -> None:
    """CET-4/6 (their specs' `checks`): session month, the numbers' level and session, part scores."""
    fields = record.fields
    session = fields.get("exam_session") or fields.get("issue_date")
    if session and _as_date(session) and str(session)[5:7] not in ("06", "12"):
        findings.append(finding("CET_SESSION_MONTH", field="exam_session", found=session))
    if parsed is not None:
        if parsed.level != record.type:
            findings.append(finding("CET_LEVEL_MISMATCH", field="certificate_number", expected=_cet_name(parsed.level),
                                    found=_cet_name(record.type)))
        if session and str(session)[:7] != parsed.exam_session:
            findings.append(finding("CET_SESSION_MISMATCH", field="exam_session", expected=parsed.exam_session,
                                    found=str(session)[:7]))
    limits = {"total_score": numbers.CET_MAX_TOTAL, "listening": numbers.CET_MAX_LISTENING,
              "reading": numbers.CET_MAX_READING, "writing_translation": numbers.CET_MAX_WRITING_TRANSLATION}
    values = {key: _number(fields.get(key)) for key in limits}
    for key, maximum in limits.items():
        if values[key] is not None and values[key] > maximum:
            findings.append(finding("CET_SCORE_RANGE", field=key, found=_show(values[key]), expected=_show(maximum)))
    parts = [values["listening"], values["reading"], values["writing_translation"]]
    if values["total_score"] is not None and all(part is not None for part in parts):
        total_of_parts = sum(parts)
        # the total is the rounded sum of the parts (each part is reported to half a point)
        if abs(total_of_parts - values["total_score"]) > 1.0:
            findings.append(finding("CET_PARTS_SUM", field="total_score", expected=_show(total_of_parts),
                                    found=_show(values["total_score"])))
    admission = fields.get("admission_number")
    if admission:
        try:
            parsed_admission = numbers.parse_cet_admission_number(str(admission))
        except numbers.NumberFormatError as error:
            findings.append(finding(error.code, field="admission_number", message=error.message,
                                    message_zh=f"准考证号格式不符：{error.message}"))
        else:
            expected = f"{_cet_name(record.type)} {str(session)[:7] if session else ''}".strip()
            found = f"{_cet_name(parsed_admission.level)} {parsed_admission.exam_session}"
            if parsed_admission.level != record.type or (session and parsed_admission.exam_session != str(session)[:7]):
                findings.append(finding("CET_ADMISSION_MISMATCH", field="admission_number", expected=expected, found=found))
            if parsed is not None and parsed.site_code != parsed_admission.site_code:
                # both numbers carry the test site where the holder sat the exam
                findings.append(finding("CET_SITE_MISMATCH", field="admission_number", expected=parsed.site_code,
                                        found=parsed_admission.site_code))


def check_school_code(record: CredentialRecord, parsed, findings: list[ValidationFinding],
                      today: date | None = None) -> None:
    """Graduation and degree certificates (their specs' `checks`): the school coded in the number is the one printed."""
    if parsed is None:
        return
    school = record.fields.get("school")
    code = parsed.school_code if hasattr(parsed, "school_code") else parsed.unit_code
    if parsed.school_name is not None:
        if school and clean(str(school)) != clean(parsed.school_name):
            findings.append(finding("SCHOOL_CODE_MISMATCH", field="school", school_code=code,
                                    expected=parsed.school_name, found=school))
    else:
        printed = numbers.schools_by_name().get(clean(str(school))) if school else None
        if printed is not None:
            # the printed school is on the list under another code: the number or the name was changed
            findings.append(finding("SCHOOL_CODE_CONTRADICTED", field="school", school_code=code,
                                    expected=printed.code, found=school))
        else:
            # neither side can be checked: a school missing from the list (renamed, merged) is no evidence
            findings.append(finding("SCHOOL_CODE_UNKNOWN", field="school", severity="warning", school_code=code))


def check_validity(record: CredentialRecord, parsed, findings: list[ValidationFinding], today: date | None = None) -> None:
    """A credential with a validity period (its spec's `checks`): it counts only while valid, and its end must be
    readable."""
    today = today or date.today()
    start, end = _as_date(record.fields.get("valid_from")), _as_date(record.fields.get("valid_until"))
    if end is None:
        findings.append(finding("VALIDITY_MISSING", field="valid_until"))
        return
    if end < today:
        findings.append(finding("CREDENTIAL_EXPIRED", field="valid_until", found=record.fields["valid_until"]))
    if start is not None and end <= start:
        findings.append(finding("VALIDITY_ORDER", field="valid_until", found=record.fields["valid_until"],
                                expected=record.fields["valid_from"]))


def _check_number_consistency(record: CredentialRecord, parsed, findings: list[ValidationFinding], spec) -> None:
    """What the number codes (its spec's `number_checks`, e.g. the level) is what the page prints; so is the year."""
    fields = record.fields
    for field_name, attribute in spec.number_checks:
        printed, expected = fields.get(field_name), getattr(parsed, attribute, None)
        if printed not in (None, "") and expected and clean(str(printed)) != clean(str(expected)):
            findings.append(finding("LEVEL_MISMATCH", field=field_name, expected=expected, found=printed))
    year_source = next((key for key in spec.year_fields if fields.get(key)), None)
    printed_date = fields.get(year_source) if year_source else None
    year = getattr(parsed, "year", None)
    if printed_date and year is not None and str(printed_date)[:4].isdigit() and int(str(printed_date)[:4]) != year:
        findings.append(finding("YEAR_MISMATCH", field=year_source, expected=year, found=printed_date))


def _check_holder(record: CredentialRecord, applicant: ApplicantProfile | None, findings: list[ValidationFinding]) -> None:
    if applicant is None:
        return
    name = record.fields.get("holder_name")
    if not name:
        findings.append(finding("NAME_MISSING", field="holder_name", severity="warning"))
    elif _name_key(str(name)) != _name_key(applicant.name):
        from credlift.domain.applicant import mask_name

        findings.append(finding("NAME_MISMATCH", field="holder_name", found=mask_name(str(name)),
                                expected=mask_name(applicant.name)))
    id_number = record.fields.get("id_number")
    if id_number and applicant.id_number and numbers.normalise_number(str(id_number)) != numbers.normalise_number(applicant.id_number):
        findings.append(finding("ID_MISMATCH", field="id_number"))
    elif not id_number and applicant.id_number:
        _check_holder_birth_and_gender(record, applicant.id_number, findings)


def _check_holder_birth_and_gender(record: CredentialRecord, applicant_id: str, findings: list[ValidationFinding]) -> None:
    """A certificate without an ID number (degree, graduation) still prints its holder's birth date and gender:
    both must be the account holder's, as coded in their verified ID number. A name edited onto someone else's
    certificate (the edit the pixels hide best) leaves that person's birth date behind."""
    try:
        holder = numbers.parse_resident_id(applicant_id)
    except numbers.NumberFormatError:
        return
    birth_differs, gender_differs = _printed_birth_and_gender_differ(record, holder)
    if birth_differs:
        findings.append(finding("HOLDER_BIRTH_MISMATCH", field="birth_date"))
    if gender_differs:
        findings.append(finding("HOLDER_GENDER_MISMATCH", field="gender"))


def _printed_birth_and_gender_differ(record: CredentialRecord, resident: numbers.ResidentId) -> tuple[bool, bool]:
    """Whether the birth date and the gender printed on the certificate (when readable) contradict those coded in
    a resident ID number."""
    printed_birth = _as_date(record.fields.get("birth_date"))
    gender = record.fields.get("gender")
    return (bool(printed_birth and printed_birth != resident.birth_date),
            bool(gender and _gender_code(str(gender)) not in (None, resident.gender)))


def _name_key(name: str) -> str:
    return clean(name).replace("·", "").replace(".", "").lower()


def _as_date(value) -> date | None:
    if value in (None, ""):
        return None
    text = str(value)
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return date.fromisoformat(text)
        if re.fullmatch(r"\d{4}-\d{2}", text):
            return date(int(text[:4]), int(text[5:7]), 1)
    except ValueError:
        return None
    return None


def _age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _gender_code(text: str) -> str | None:
    text = text.strip().lower()
    if text in ("男", "male", "m"):
        return "male"
    if text in ("女", "female", "f"):
        return "female"
    return None


def _number(value) -> float | None:
    if value in (None, ""):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _show(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _cet_name(credential_type: str) -> str:
    return {"cet4": "CET-4", "cet6": "CET-6"}.get(credential_type, credential_type)
