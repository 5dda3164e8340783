"""CET-6: the College English Test band 6 score report."""
from credlift.tools.credentials.base import CredentialSpec, Cue
from credlift.tools.credentials.cet4 import CET_NUMBER_LAYOUTS

SPEC = CredentialSpec(
    type="cet6", name_en="CET-6 score report", name_zh="大学英语六级成绩报告单", increase_clause="INC-CET6",
    level_field="total_score", parser="credlift.tools.extraction.parsers.cet:CetParser",
    key_fields=("holder_name", "certificate_number", "total_score"),
    cues=(Cue(5.0, ("大学英语六级", "英语六级", "六级考试", "CET-6", "CET6", "CollegeEnglishTestBand6", "Band6")),),
    classify_rank=0,
    parameter_keys=("credential_increase.cet6", "max_increase_per_type.cet6", "cet_pass_line"),
    level_field_zh="总分", pricing="score_tiers", level_order=("below_425", "425-549", "550+"),
    number_layouts=CET_NUMBER_LAYOUTS, number_parser="credlift.tools.credential_numbers:parse_cet_report_number",
    year_fields=(), checks=("credlift.tools.extraction.validators:check_cet",),
    minimum_age=14, name_style=True,
)
