"""A delivery rider's platform profile page (骑手主页), screenshotted in the rider app: the rider's name and rider ID,
orders delivered, service rating, months active, registration date and this month's earnings.

A screenshot is weaker evidence (`weaker_evidence`): the person took it and no issuer can confirm it, so the
policy caps it (CAP-WEAK) and says so. It is priced by how long the rider has been active (`tenure_band`, read
from the months active the page prints: months_0_5, months_6_11, months_12_plus). The layout is INVENTED in the
common shape of these apps; the rider ID (10 digits) has no public rule, so it is only the key of CAP-ONCE.
"""
from __future__ import annotations

from credlift.tools.credential_numbers import NumberFormatError, NumberLayout, normalise_number, seg
from credlift.tools.credentials.base import CredentialSpec, Cue

LAYOUTS = (NumberLayout("rider_id", "platform", (seg("digits", r"\d{10}"),),
                        "the platform's rider ID: 10 digits (no public rule beyond that)"),)


def parse_account_number(text: str) -> str:
    """The rider ID as printed, when it is all digits of the right length (NumberFormatError otherwise)."""
    number = normalise_number(text)
    if LAYOUTS[0].match(number) is None:
        raise NumberFormatError("ACCOUNT_NUMBER_FORMAT", f"The rider ID {number!r} is not 10 digits.")
    return number


#: months active -> tenure band (lowest first); the parser and the loan book read the same cut points
TENURE_BANDS = ((0, "months_0_5"), (6, "months_6_11"), (12, "months_12_plus"))


def tenure_band(months_active: int) -> str:
    return next(band for floor, band in reversed(TENURE_BANDS) if months_active >= floor)


SPEC = CredentialSpec(
    type="rider_profile", name_en="delivery rider platform profile", name_zh="外卖/配送平台骑手主页",
    increase_clause="INC-RIDER", level_field="tenure_band", level_field_zh="跑单时长",
    parser="credlift.tools.extraction.parsers.rider_profile:RiderProfileParser",
    key_fields=("holder_name", "certificate_number", "months_active"),
    level_names={"months_12_plus": ("12 months or more active", "跑单 12 个月及以上"),
                 "months_6_11": ("6 to 11 months active", "跑单 6 至 11 个月"),
                 "months_0_5": ("under 6 months active", "跑单不足 6 个月")},
    cues=(Cue(6.0, ("骑手主页", "骑手ID", "跑单月数", "累计接单")),
          Cue(1.5, ("服务评分", "本月收入", "所属站点", "美团骑手", "蜂鸟即配", "达达骑士", "顺丰同城", "闪送", "跑腿"))),
    classify_rank=8, pricing="by_level", weaker_evidence=True,
    parameter_keys=("credential_increase.rider_profile", "max_increase_per_type.rider_profile", "weak_evidence_cap"),
    number_layouts=LAYOUTS, number_parser=f"{__name__}:parse_account_number",
    year_fields=(), minimum_age=16,
    answer_fields={"platform": "the delivery platform's name as printed", "months_active": "跑单月数, integer",
                   "orders": "累计接单, integer", "rating": "服务评分, number", "monthly_earnings": "本月收入 in yuan"},
    trades={"delivery rider": "外卖骑手"},
)
