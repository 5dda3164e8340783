"""The graduation certificate (毕业证书) of a school on the Ministry of Education's list."""
from credlift.tools.credentials.base import CredentialSpec, Cue

SPEC = CredentialSpec(
    type="graduation", name_en="graduation certificate", name_zh="毕业证书", increase_clause="INC-GRAD",
    level_field="level", parser="credlift.tools.extraction.parsers.graduation:GraduationParser",
    key_fields=("holder_name", "certificate_number", "school"),
    level_names={"doctorate": ("doctorate", "博士研究生"), "master": ("master's", "硕士研究生"),
                 "second_bachelor": ("second bachelor's", "第二学士学位"), "bachelor": ("bachelor's", "本科"),
                 "junior_college": ("junior college", "专科")},
    level_aliases={"博士研究生": "doctorate", "博士": "doctorate", "硕士研究生": "master", "硕士": "master",
                   "第二学士学位": "second_bachelor", "本科": "bachelor", "专科": "junior_college",
                   "高职": "junior_college"},
    cues=(Cue(2.0, ("毕业证书", "准予毕业", "毕业", "学制", "修完")),),
    classify_rank=3,
    parameter_keys=("credential_increase.graduation", "max_increase_per_type.graduation"),
)
