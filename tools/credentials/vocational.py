"""The vocational skill level certificate (职业技能等级证书)."""
from credlift.tools.credentials.base import CredentialSpec, Cue
from credlift.tools.credential_numbers import NumberLayout, seg

SPEC = CredentialSpec(
    type="vocational", name_en="vocational skill certificate", name_zh="职业技能等级证书", increase_clause="INC-VOC",
    level_field="skill_level", parser="credlift.tools.extraction.parsers.vocational:VocationalParser",
    key_fields=("holder_name", "certificate_number"),
    level_names={"1": ("level 1, senior technician", "一级/高级技师"), "2": ("level 2, technician", "二级/技师"),
                 "3": ("level 3, senior worker", "三级/高级工"), "4": ("level 4, intermediate", "四级/中级工"),
                 "5": ("level 5, junior", "五级/初级工")},
    cues=(Cue(2.5, ("职业技能等级证书", "技能等级", "职业技能", "职业(工种)", "评价机构", "技能人才评价")),),
    number_cues=(Cue(2.0, pattern=r"(?<![A-Z0-9])[YS]\d{21}(?![0-9])"),),
    classify_rank=4,
    parameter_keys=("credential_increase.vocational", "max_increase_per_type.vocational"),
    level_field_zh="技能等级",
    number_layouts=(
        NumberLayout("vocational", "standard", (
            seg("issuer_kind", r"[A-Z]"), seg("assessor_code", r"\d{4}"), seg("province_code", r"\d{2}"),
            seg("site_code", r"\d{6}"), seg("year", r"\d{2}"), seg("skill_level", r"\d"),
            seg("serial", r"\d{6}")),
            "22 characters: letter 1 (Y employer, S assessment organisation) + assessor 4 + province 2 + "
            "site 6 + year 2 + skill level 1 + serial 6"),
    ),
    number_parser="credlift.tools.credential_numbers:parse_vocational_number",
    number_checks=(("skill_level", "skill_level"),), minimum_age=16, name_style=True,
)
