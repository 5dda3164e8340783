"""A creator's account page on a social or content platform (创作者中心), screenshotted: the account's real-name
holder, account ID, followers, verification status and registration date (the account's age).

A screenshot is weaker evidence (`weaker_evidence`): the policy caps it (CAP-WEAK) and says so. It is priced by
its audience (`audience_band`, from the followers the page prints: followers_under_1k, followers_1k_10k, followers_10k_plus).
The layout is INVENTED in the common shape of these apps; the account ID has no public rule, so it is only the
key of CAP-ONCE.
"""
from __future__ import annotations

from credlift.tools.credential_numbers import NumberFormatError, NumberLayout, normalise_number, seg
from credlift.tools.credentials.base import CredentialSpec, Cue

LAYOUTS = (NumberLayout("platform_account", "platform", (seg("digits", r"\d{9,11}"),),
                        "the platform's account ID: 9 to 11 digits (no public rule beyond that)"),)


def parse_account_number(text: str) -> str:
    """The account ID as printed, when it is all digits of the right length (NumberFormatError otherwise)."""
    number = normalise_number(text)
    if LAYOUTS[0].match(number) is None:
        raise NumberFormatError("ACCOUNT_NUMBER_FORMAT", f"The account ID {number!r} is not 9 to 11 digits.")
    return number


AUDIENCE_BANDS = ((0, "followers_under_1k"), (1_000, "followers_1k_10k"), (10_000, "followers_10k_plus"))


def audience_band(followers: int) -> str:
    return next(band for floor, band in reversed(AUDIENCE_BANDS) if followers >= floor)


SPEC = CredentialSpec(
    type="creator_profile", name_en="creator or social-platform account page",
    name_zh="自媒体/社交平台账号主页", increase_clause="INC-CREATOR", level_field="audience_band",
    level_field_zh="粉丝规模", parser="credlift.tools.extraction.parsers.creator_profile:CreatorProfileParser",
    key_fields=("holder_name", "certificate_number", "followers"),
    level_names={"followers_10k_plus": ("10,000 followers or more", "粉丝 1 万及以上"),
                 "followers_1k_10k": ("1,000 to 9,999 followers", "粉丝 1 千至 1 万"),
                 "followers_under_1k": ("under 1,000 followers", "粉丝不足 1 千")},
    cues=(Cue(6.0, ("创作者中心", "实名主体", "获赞与收藏")),
          Cue(1.5, ("粉丝", "认证状态", "账号ID", "抖音", "小红书", "微博", "哔哩哔哩", "快手", "视频号"))),
    classify_rank=9, pricing="by_level", weaker_evidence=True,
    parameter_keys=("credential_increase.creator_profile", "max_increase_per_type.creator_profile",
                    "weak_evidence_cap"),
    number_layouts=LAYOUTS, number_parser=f"{__name__}:parse_account_number",
    year_fields=(), minimum_age=16,
    answer_fields={"platform": "the platform's name as printed", "followers": "粉丝, integer (1.2万 = 12000)",
                   "verified": "yes when 认证状态 says 已认证, else no"},
    trades={"freelance designer": "自由设计师", "freelancer": "自由职业者", "content creator": "自媒体创作者"},
)
