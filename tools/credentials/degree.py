"""The degree certificate (学位证书)."""
from credlift.tools.credentials.base import CredentialSpec, Cue

SPEC = CredentialSpec(
    type="degree", name_en="degree certificate", name_zh="学位证书", increase_clause="INC-DEG",
    level_field="degree_level", parser="credlift.tools.extraction.parsers.degree:DegreeParser",
    key_fields=("holder_name", "certificate_number", "school"),
    level_names={"doctor": ("doctor's", "博士"), "master": ("master's", "硕士"), "bachelor": ("bachelor's", "学士")},
    level_aliases={"博士": "doctor", "博士学位": "doctor", "硕士": "master", "硕士学位": "master", "学士": "bachelor",
                   "学士学位": "bachelor"},
    cues=(Cue(2.0, ("学位证书", "学士学位", "硕士学位", "博士学位", "学位评定委员会", "授予", "学位")),),
    classify_rank=2,
    parameter_keys=("credential_increase.degree", "max_increase_per_type.degree"),
)
