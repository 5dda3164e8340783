"""The Chinese Mathematics Competitions award (全国大学生数学竞赛获奖证书), run by the Chinese Mathematical Society
since 2009: a regional round (赛区, preliminaries) each autumn and a national final (决赛) each spring, in two
categories (数学类 for mathematics majors, 非数学类 for the others), with first, second and third prizes.

Until issue 25 it was one of the competitions folded into `award`; it is its own type now, with its own fields
(category, round, prize, year, issuer). The number's layout is INVENTED (coded_number.py): CMC + year +
round (R/F) + category (M/N) + prize (1/2/3) + serial 5.
"""
from credlift.tools.credentials.base import Cue
from credlift.tools.credentials.coded_number import CodedField, CodedNumberRule
from credlift.tools.credentials.honours import HonourReading, honour_spec

COMPETITION = "全国大学生数学竞赛"
RULE = CodedNumberRule("math_competition", "CMC_NUMBER", "mathematics competition certificate number",
                       {"CMC": COMPETITION},
                       (CodedField("award_round", {"R": "regional", "F": "final"}),
                        CodedField("category", {"M": "math", "N": "non_math"}),
                        CodedField("award_level", {"1": "first", "2": "second", "3": "third"})),
                       serial_digits=5, prefix_field="competition")
parse_number = RULE.parse

READING = HonourReading(
    choices={"competition": ((COMPETITION, COMPETITION),),
             "category": (("非数学类", "non_math"), ("非数学专业", "non_math"), ("数学类", "math"), ("数学专业", "math")),
             "award_round": (("决赛", "final"), ("赛区", "regional"), ("预赛", "regional")),
             "award_level": (("一等奖", "first"), ("二等奖", "second"), ("三等奖", "third"))},
    issuers=("中国数学会", "中国数学会普及工作委员会"), number=RULE)

SPEC = honour_spec(
    __name__, READING,
    type="math_competition", name_en="Chinese Mathematics Competitions award", name_zh="全国大学生数学竞赛获奖证书",
    increase_clause="INC-MATH", level_field="award_level", level_field_zh="奖项等级",
    key_fields=("holder_name", "competition", "award_level"),
    level_names={"first": ("first prize", "一等奖"), "second": ("second prize", "二等奖"),
                 "third": ("third prize", "三等奖")},
    level_aliases={"一等奖": "first", "二等奖": "second", "三等奖": "third"},
    cues=(Cue(10.0, ("全国大学生数学竞赛", "大学生数学竞赛")), Cue(1.0, ("非数学类", "中国数学会"))),
    classify_rank=10,
    number_checks=(("award_level", "award_level"), ("award_round", "award_round"), ("category", "category")),
    minimum_age=16,
    answer_fields={"school": "school as printed", "competition": "全国大学生数学竞赛",
                   "category": "math | non_math (数学类 / 非数学类)", "award_round": "regional | final (赛区 / 决赛)",
                   "award_level": "first | second | third"},
)
