"""CET-4: the College English Test band 4 score report."""
from credlift.tools.credentials.base import CredentialSpec, Cue
from credlift.tools.credential_numbers import NumberLayout, seg

#: the report number (成绩报告单编号) and the written test's admission number (准考证号), shared with CET-6
CET_NUMBER_LAYOUTS = (
    NumberLayout("cet", "report", (
        seg("year", r"\d{2}"), seg("sitting", r"\d"), seg("level_code", r"\d"),
        seg("site_code", r"\d{6}"), seg("serial", r"\d{5}")),
        "15 digits: year 2 + sitting 1 (1 June, 2 December) + level 1 (1 CET-4, 2 CET-6) + site 6 + serial 5"),
    # 准考证号 (written test); secondary sources agree on: site 6 + year 2 + sitting 1 + level 1 + room 3 + seat 2
    NumberLayout("cet_admission", "written", (
        seg("site_code", r"\d{6}"), seg("year", r"\d{2}"), seg("sitting", r"\d"),
        seg("level_code", r"\d"), seg("room", r"\d{3}"), seg("seat", r"\d{2}")),
        "15 digits: site 6 + year 2 + sitting 1 + level 1 + room 3 + seat 2"),
)

SPEC = CredentialSpec(
    type="cet4", name_en="CET-4 score report", name_zh="大学英语四级成绩报告单", increase_clause="INC-CET4",
    level_field="total_score", parser="credlift.tools.extraction.parsers.cet:CetParser",
    key_fields=("holder_name", "certificate_number", "total_score"),
    cues=(Cue(5.0, ("大学英语四级", "英语四级", "四级考试", "CET-4", "CET4", "CollegeEnglishTestBand4", "Band4")),
          # body words of any CET report: the classifier moves them to CET-6 when the title says band 6
          Cue(1.0, ("成绩报告单", "听力", "写作和翻译", "笔试准考证号"))),
    classify_rank=1,
    parameter_keys=("credential_increase.cet4", "max_increase_per_type.cet4", "cet_pass_line"),
    level_field_zh="总分", pricing="score_tiers", level_order=("below_425", "425-549", "550+"),
    number_layouts=CET_NUMBER_LAYOUTS, number_parser="credlift.tools.credential_numbers:parse_cet_report_number",
    year_fields=(), checks=("credlift.tools.extraction.validators:check_cet",),
    minimum_age=14, name_style=True,
)
