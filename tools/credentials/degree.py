"""The degree certificate (学位证书)."""
from credlift.tools.credentials.base import CredentialSpec, Cue
from credlift.tools.credential_numbers import NumberLayout, seg

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
    level_field_zh="学位级别",
    number_layouts=(
        NumberLayout("degree", "standard", (
            seg("unit_code", r"\d{5}"), seg("level_code", r"\d"), seg("year", r"\d{4}"),
            seg("serial", r"\d{6}")),
            "16 digits: unit 5 + level 1 + year 4 + serial 6"),
        NumberLayout("degree", "letter_variant", (
            seg("unit_code", r"\d{5}"), seg("level_code", r"\d"), seg("year", r"\d{4}"),
            seg("variant_letter", r"[A-Z]"), seg("serial", r"\d{5}")),
            "16 characters with a letter at position 11: S double degree, E second degree, Z self-study, "
            "other letters professional degrees"),
        NumberLayout("degree", "prefixed", (
            seg("prefix_letter", r"[CQTL]"), seg("unit_code", r"\d{5}"), seg("level_code", r"\d"),
            seg("year", r"\d{4}"), seg("serial", r"[A-Z0-9]\d{5}")),
            "17 characters: a leading letter (C adult education, Q, T, L) before the 16"),
    ),
    number_parser="credlift.tools.credential_numbers:parse_degree_number",
    number_checks=(("degree_level", "degree_level"),),
    checks=("credlift.tools.extraction.validators:check_school_code",),
    minimum_age=19, minimum_age_by_level={"bachelor": 19, "master": 21, "doctor": 23}, name_style=True,
)
