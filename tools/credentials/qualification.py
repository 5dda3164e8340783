"""The accounting professional qualification (会计专业技术资格证书)."""
from credlift.tools.credentials.base import CredentialSpec, Cue
from credlift.tools.credential_numbers import NumberLayout, seg

SPEC = CredentialSpec(
    type="qualification", name_en="accounting qualification", name_zh="会计专业技术资格证书",
    increase_clause="INC-QUAL", level_field="qualification_level",
    parser="credlift.tools.extraction.parsers.qualification:QualificationParser",
    key_fields=("holder_name", "certificate_number"),
    level_names={"intermediate": ("intermediate", "中级"), "junior": ("junior", "初级")},
    level_aliases={"初级": "junior", "中级": "intermediate"},
    cues=(Cue(1.5, ("会计专业技术资格", "专业技术资格证书", "资格证书", "会计", "财政部", "人力资源和社会保障部")),),
    classify_rank=6,
    parameter_keys=("credential_increase.qualification", "max_increase_per_type.qualification"),
    level_field_zh="资格级别", pricing="flat", default_level="junior",
    number_layouts=(
        # INVENTED: province 2 + year 4 + level 1 (1 junior, 2 intermediate) + site 4 + serial 6 (17 digits)
        NumberLayout("qualification", "invented", (
            seg("province_code", r"\d{2}"), seg("year", r"\d{4}"), seg("level_code", r"\d"),
            seg("site_code", r"\d{4}"), seg("serial", r"\d{6}")),
            "INVENTED: province 2 + year 4 + level 1 (1 junior, 2 intermediate) + site 4 + serial 6"),
    ),
    number_parser="credlift.tools.credential_numbers:parse_qualification_number",
    number_checks=(("qualification_level", "qualification_level"),), minimum_age=18, name_style=True,
)
