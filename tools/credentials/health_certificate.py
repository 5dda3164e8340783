"""The food-handler health certificate (健康证, 食品从业人员健康证明): a district's disease-control centre or health
authority certifies, after a medical examination, that the holder may work with food. It prints the holder, gender,
ID number, the certificate number, the examination date, the end of its one-year validity and the issuer, and
counts only while valid (an expired one is declined with the renewal as the way forward).

The number's layout is INVENTED (districts print their own): JK + the issuing district's area code 6 + year of the
examination 4 + serial 6.
"""
from __future__ import annotations

from datetime import date

from credlift.tools.credential_numbers import NumberFormatError, NumberLayout, normalise_number, seg
from credlift.tools.credentials.base import CredentialSpec, Cue
from credlift.tools.credentials.driver_permit import PermitNumber

LAYOUTS = (NumberLayout("health_certificate", "invented", (
    seg("prefix", "JK"), seg("area_code", r"\d{6}"), seg("year", r"\d{4}"), seg("serial", r"\d{6}")),
    "INVENTED: JK + area code 6 + year of the examination 4 + serial 6"),)


def parse_health_number(text: str, today: date | None = None) -> PermitNumber:
    from credlift.tools.credential_numbers import PROVINCE_CODES, _check_year

    number = normalise_number(text)
    parts = LAYOUTS[0].match(number)
    if parts is None:
        raise NumberFormatError("HEALTH_NUMBER_FORMAT", f"The health certificate number {number!r} does not follow "
                                "its layout (JK + area code 6 + year 4 + serial 6).")
    if parts["area_code"][:2] not in PROVINCE_CODES:
        raise NumberFormatError("HEALTH_NUMBER_AREA", "The area code of the health certificate number is not a "
                                "province's.")
    _check_year(int(parts["year"]), "HEALTH_NUMBER", "health certificate number", today)
    return PermitNumber(number=number, area_code=parts["area_code"], year=int(parts["year"]), serial=parts["serial"])


def make_health_number(area_code: str, year: int, serial: int) -> str:
    return f"JK{area_code}{year:04d}{serial:06d}"


SPEC = CredentialSpec(
    type="health_certificate", name_en="food-handler health certificate", name_zh="食品从业人员健康证明（健康证）",
    increase_clause="INC-HEALTH", level_field="certificate_status", level_field_zh="证件状态",
    parser="credlift.tools.extraction.parsers.health_certificate:HealthCertificateParser",
    key_fields=("holder_name", "certificate_number", "valid_until"),
    level_names={"valid": ("valid", "有效期内")}, default_level="valid", pricing="flat",
    cues=(Cue(6.0, ("健康证明", "健康证", "从业人员健康", "预防性健康检查")),
          Cue(1.5, ("体检日期", "从业类别", "疾病预防控制中心", "卫生健康", "有效期至"))),
    number_cues=(Cue(2.0, pattern=r"JK\d{16}"),),
    classify_rank=10,
    parameter_keys=("credential_increase.health_certificate", "max_increase_per_type.health_certificate"),
    number_layouts=LAYOUTS, number_parser=f"{__name__}:parse_health_number",
    checks=("credlift.tools.extraction.validators:check_validity",),
    minimum_age=16,
    answer_fields={"valid_until": "YYYY-MM-DD, 有效期至", "category": "从业类别, e.g. 食品"},
    trades={"delivery rider": "外卖骑手", "food service worker": "餐饮从业者"},
)
