"""The vehicle's ride-hailing transport permit (网络预约出租汽车运输证): the city's transport authority licenses the
vehicle for ride-hailing. It prints the owner (业户名称: the driver, for a car they own), the permit number, the
plate number, the vehicle type, the date issued, a validity period (usually eight years) and the authority; it
counts only while valid. A driver who holds it alongside the driver permit (driver_permit.py) shows both the person
and the car are licensed.

The permit number's layout is INVENTED (cities print their own): YS + the issuing city's area code 6 + year issued 4
+ serial 6.
"""
from __future__ import annotations

from datetime import date

from credlift.tools.credential_numbers import NumberFormatError, NumberLayout, normalise_number, seg
from credlift.tools.credentials.base import CredentialSpec, Cue
from credlift.tools.credentials.driver_permit import PermitNumber

LAYOUTS = (NumberLayout("transport_permit", "invented", (
    seg("prefix", "YS"), seg("area_code", r"\d{6}"), seg("year", r"\d{4}"), seg("serial", r"\d{6}")),
    "INVENTED: YS + area code 6 + year issued 4 + serial 6"),)


def parse_transport_number(text: str, today: date | None = None) -> PermitNumber:
    from credlift.tools.credential_numbers import PROVINCE_CODES, _check_year

    number = normalise_number(text)
    parts = LAYOUTS[0].match(number)
    if parts is None:
        raise NumberFormatError("TRANSPORT_NUMBER_FORMAT", f"The transport permit number {number!r} does not follow "
                                "its layout (YS + area code 6 + year 4 + serial 6).")
    if parts["area_code"][:2] not in PROVINCE_CODES:
        raise NumberFormatError("TRANSPORT_NUMBER_AREA", "The area code of the transport permit number is not a "
                                "province's.")
    _check_year(int(parts["year"]), "TRANSPORT_NUMBER", "transport permit number", today)
    return PermitNumber(number=number, area_code=parts["area_code"], year=int(parts["year"]), serial=parts["serial"])


def make_transport_number(area_code: str, year: int, serial: int) -> str:
    return f"YS{area_code}{year:04d}{serial:06d}"


SPEC = CredentialSpec(
    type="transport_permit", name_en="ride-hailing vehicle transport permit", name_zh="网络预约出租汽车运输证",
    increase_clause="INC-TRANSPORT", level_field="permit_status", level_field_zh="证件状态",
    parser="credlift.tools.extraction.parsers.transport_permit:TransportPermitParser",
    key_fields=("holder_name", "certificate_number", "plate_number", "valid_until"),
    level_names={"valid": ("valid", "有效期内")}, default_level="valid", pricing="flat",
    cues=(Cue(6.0, ("网络预约出租汽车运输证", "运输证", "车辆号牌", "业户名称")),
          Cue(1.5, ("车辆类型", "经营范围", "网络预约出租汽车客运", "交通运输局", "交通委员会"))),
    number_cues=(Cue(2.0, pattern=r"YS\d{16}"),),
    classify_rank=6,  # before the driver permit: both name 网络预约出租汽车
    parameter_keys=("credential_increase.transport_permit", "max_increase_per_type.transport_permit"),
    number_layouts=LAYOUTS, number_parser=f"{__name__}:parse_transport_number",
    checks=("credlift.tools.extraction.validators:check_validity",),
    minimum_age=18,
    answer_fields={"plate_number": "车辆号牌, e.g. 粤B12345", "vehicle_type": "车辆类型",
                   "valid_from": "YYYY-MM-DD, start of the validity period",
                   "valid_until": "YYYY-MM-DD, end of the validity period"},
    trades={"ride-hailing driver": "网约车司机"},
)
