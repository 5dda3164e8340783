"""The accounting professional qualification (会计专业技术资格证书)."""
from credlift.tools.credentials.base import CredentialSpec, Cue

SPEC = CredentialSpec(
    type="qualification", name_en="accounting qualification", name_zh="会计专业技术资格证书",
    increase_clause="INC-QUAL", level_field="qualification_level",
    parser="credlift.tools.extraction.parsers.qualification:QualificationParser",
    key_fields=("holder_name", "certificate_number"),
    level_names={"junior": ("junior", "初级"), "intermediate": ("intermediate", "中级")},
    level_aliases={"初级": "junior", "中级": "intermediate"},
    cues=(Cue(1.5, ("会计专业技术资格", "专业技术资格证书", "资格证书", "会计", "财政部", "人力资源和社会保障部")),),
    classify_rank=6,
    parameter_keys=("credential_increase.qualification", "max_increase_per_type.qualification"),
)
