"""A competition award certificate (竞赛获奖证书)."""
from credlift.tools.credentials.base import CredentialSpec, Cue

SPEC = CredentialSpec(
    type="award", name_en="competition award", name_zh="竞赛获奖证书", increase_clause="INC-AWD",
    level_field="award_scope", parser="credlift.tools.extraction.parsers.award:AwardParser",
    key_fields=("holder_name", "competition"),
    level_names={"international": ("international", "国际级"), "national": ("national", "国家级"),
                 "provincial": ("provincial", "省级")},
    level_aliases={"国际级": "international", "国际": "international", "国家级": "national", "全国": "national",
                   "省级": "provincial"},
    cues=(Cue(2.0, ("荣誉证书", "获奖证书", "竞赛", "荣获", "一等奖", "二等奖", "三等奖", "金奖", "银奖", "铜奖", "获奖")),),
    number_cues=(Cue(2.0, pattern=r"(?<![A-Z])(?:CMC|MCM|ICPC|CCPC)\d{4}[INP][0-9GSB]\d{5}"),),
    classify_rank=5,
    parameter_keys=("credential_increase.award", "max_increase_per_type.award"),
)
