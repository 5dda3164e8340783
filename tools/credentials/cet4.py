"""CET-4: the College English Test band 4 score report."""
from credlift.tools.credentials.base import CredentialSpec, Cue

SPEC = CredentialSpec(
    type="cet4", name_en="CET-4 score report", name_zh="大学英语四级成绩报告单", increase_clause="INC-CET4",
    level_field="total_score", parser="credlift.tools.extraction.parsers.cet:CetParser",
    key_fields=("holder_name", "certificate_number", "total_score"),
    cues=(Cue(5.0, ("大学英语四级", "英语四级", "四级考试", "CET-4", "CET4", "CollegeEnglishTestBand4", "Band4")),
          # body words of any CET report: the classifier moves them to CET-6 when the title says band 6
          Cue(1.0, ("成绩报告单", "听力", "写作和翻译", "笔试准考证号"))),
    classify_rank=1,
    parameter_keys=("credential_increase.cet4", "max_increase_per_type.cet4", "cet_pass_line"),
)
