"""The ride-hailing driver permit (网络预约出租汽车驾驶员证): the city's transport authority certifies the holder as a
ride-hailing driver. It prints the holder and their ID number, the permit number, the issuing authority, the date
first issued and a validity period (usually six years), and counts only while valid.

The permit number's layout is INVENTED (cities print their own; many print the ID number as 证号, which this
house keeps out of keys and logs): WY + the issuing city's area code 6 + year first issued 4 + serial 6.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from credlift.tools.credential_numbers import NumberFormatError, NumberLayout, normalise_number, seg
from credlift.tools.credentials.base import CredentialSpec, Cue

LAYOUTS = (NumberLayout("driver_permit", "invented", (
    seg("prefix", "WY"), seg("area_code", r"\d{6}"), seg("year", r"\d{4}"), seg("serial", r"\d{6}")),
    "INVENTED: WY + area code 6 + year first issued 4 + serial 6"),)


@dataclass(frozen=True)
class PermitNumber:
    number: str
    area_code: str
    year: int
    serial: str


def parse_permit_number(text: str, today: date | None = None) -> PermitNumber:
    from credlift.tools.credential_numbers import PROVINCE_CODES, _check_year

    number = normalise_number(text)
    parts = LAYOUTS[0].match(number)
    if parts is None:
        raise NumberFormatError("PERMIT_NUMBER_FORMAT", f"The permit number {number!r} does not follow its layout "
                                "(WY + area code 6 + year 4 + serial 6).")
    if parts["area_code"][:2] not in PROVINCE_CODES:
        raise NumberFormatError("PERMIT_NUMBER_AREA", "The area code of the permit number is not a province's.")
    _check_year(int(parts["year"]), "PERMIT_NUMBER", "permit number", today)
    return PermitNumber(number=number, area_code=parts["area_code"], year=int(parts["year"]), serial=parts["serial"])


def make_permit_number(area_code: str, year: int, serial: int) -> str:
    return f"WY{area_code}{year:04d}{serial:06d}"


SPEC = CredentialSpec(
    type="driver_permit", name_en="ride-hailing driver permit", name_zh="网络预约出租汽车驾驶员证",
    increase_clause="INC-DRV", level_field="permit_status", level_field_zh="证件状态",
    parser="credlift.tools.extraction.parsers.driver_permit:DriverPermitParser",
    key_fields=("holder_name", "certificate_number", "issuer", "valid_until"),
    level_names={"valid": ("valid", "有效期内")}, default_level="valid", pricing="flat",
    cues=(Cue(6.0, ("网络预约出租汽车驾驶员证", "网络预约出租汽车", "网约车驾驶员证", "驾驶员证")),
          Cue(1.5, ("从业资格类别", "准驾车型", "初次领证日期", "有效期限", "交通运输局", "交通委员会"))),
    number_cues=(Cue(2.0, pattern=r"WY\d{16}"),),
    classify_rank=7,
    parameter_keys=("credential_increase.driver_permit", "max_increase_per_type.driver_permit"),
    number_layouts=LAYOUTS, number_parser=f"{__name__}:parse_permit_number",
    checks=("credlift.tools.extraction.validators:check_validity",),
    minimum_age=21,  # a ride-hailing driver needs three years of driving (a licence from 18)
    answer_fields={"valid_from": "YYYY-MM-DD, start of the validity period",
                   "valid_until": "YYYY-MM-DD, end of the validity period",
                   "vehicle_class": "准驾车型, e.g. C1"},
    trades={"ride-hailing driver": "网约车司机"},
)
