"""A competition award certificate (竞赛获奖证书): the competitions without a type of their own (the mathematics
competition and ICPC/CCPC have theirs: math_competition.py, icpc.py)."""
from credlift.tools.credentials.base import CredentialSpec, Cue
from credlift.tools.credential_numbers import NumberLayout, seg

SPEC = CredentialSpec(
    type="award", name_en="competition award", name_zh="竞赛获奖证书", increase_clause="INC-AWD",
    level_field="award_scope", parser="credlift.tools.extraction.parsers.award:AwardParser",
    key_fields=("holder_name", "competition"),
    level_names={"international": ("international", "国际级"), "national": ("national", "国家级"),
                 "provincial": ("provincial", "省级")},
    level_aliases={"国际级": "international", "国际": "international", "国家级": "national", "全国": "national",
                   "省级": "provincial"},
    cues=(Cue(2.0, ("荣誉证书", "获奖证书", "竞赛", "荣获", "一等奖", "二等奖", "三等奖", "金奖", "银奖", "铜奖", "获奖")),),
    number_cues=(Cue(2.0, pattern=r"(?<![A-Z])(?:MCM|TZB|LQB|IGEM)\d{4}[INP][0-9GSB]\d{5}"),),
    classify_rank=5,
    parameter_keys=("credential_increase.award", "max_increase_per_type.award"),
    level_field_zh="奖项级别",
    number_layouts=(
        # INVENTED: competition code + 4-digit year + scope letter + award level + 5-digit serial, e.g. MCM2023N100123
        NumberLayout("award", "invented", (
            seg("competition_code", r"[A-Z]{3,4}"), seg("year", r"\d{4}"), seg("scope_code", r"[A-Z]"),
            seg("level_code", r"[0-9A-Z]"), seg("serial", r"\d{5}")),
            "INVENTED: competition code 3-4 letters + year 4 + scope (I/N/P) + level (1/2/3/G/S/B) + serial 5"),
    ),
    number_parser="credlift.tools.credential_numbers:parse_award_number",
    number_checks=(("award_level", "award_level"), ("award_scope", "award_scope"), ("competition", "competition")),
    minimum_age=14, name_style=True,
)
