"""The graduation certificate (毕业证书) of a school on the Ministry of Education's list."""
from credlift.tools.credentials.base import CredentialSpec, Cue
from credlift.tools.credential_numbers import NumberLayout, seg

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
    cues=(Cue(2.0, ("毕业证书", "准予毕业", "毕业", "学制", "修完")),
          Cue(4.0, ("学历证书电子注册备案表", "电子注册备案表", "在线验证码"))),  # the CHSI verification report
    classify_rank=3,
    parameter_keys=("credential_increase.graduation", "max_increase_per_type.graduation"),
    level_field_zh="学历层次",
    number_layouts=(
        NumberLayout("graduation", "standard", (
            seg("school_code", r"\d{5}"), seg("schooling_type", r"\d"), seg("year", r"\d{4}"),
            seg("level_code", r"\d{2}"), seg("serial", r"\d{6}")),
            "18 digits: school 5 + schooling type 1 + year 4 + level 2 + serial 6"),
        NumberLayout("graduation", "early_2001", (
            seg("school_code", r"\d{5}"), seg("schooling_type", r"\d"), seg("year", r"200[12]"),
            seg("level_code", r"\d{2}"), seg("serial", r"\d{5}")),
            "17 digits for 2001 (and some 2002) certificates: 5-digit serial"),
        NumberLayout("graduation", "self_study", (
            seg("school_code", r"\d{5}"), seg("schooling_type", r"6"), seg("year", r"\d{4}"),
            seg("level_code", r"\d{2}"), seg("serial", r"\d{4}"), seg("check", r"[\dX]")),
            "17 characters for self-study examination certificates, ending in a check character whose "
            "algorithm is not published (not verified)"),
    ),
    number_parser="credlift.tools.credential_numbers:parse_graduation_number",
    number_checks=(("level", "level"),), year_fields=("study_end", "issue_date"),
    checks=("credlift.tools.extraction.validators:check_school_code",),
    minimum_age=17, minimum_age_by_level={"junior_college": 17, "bachelor": 19, "second_bachelor": 20, "master": 21,
                                          "doctorate": 23},
    name_style=True,
)
