"""A scholarship certificate (奖学金荣誉证书): the National Scholarship (国家奖学金, the Ministry of Education's,
8,000 yuan), the National Encouragement Scholarship (国家励志奖学金, 5,000 yuan, for able students of modest means)
or a school's own scholarship (校级奖学金). It prints the holder, the school, the academic year, the scholarship,
its amount, the awarding body, the date and a number.

The number's layout is INVENTED (coded_number.py): JXJ + the year issued + scholarship + serial 6.
"""
from credlift.tools.credentials.base import Cue
from credlift.tools.credentials.coded_number import CodedField, CodedNumberRule
from credlift.tools.credentials.honours import HonourReading, honour_spec

RULE = CodedNumberRule("scholarship", "SCHOLARSHIP_NUMBER", "scholarship certificate number", {"JXJ": ""},
                       (CodedField("scholarship_level", {"N": "national", "E": "encouragement", "S": "school"}),),
                       serial_digits=6)
parse_number = RULE.parse

#: printed name -> level; the National Encouragement Scholarship is tried before the National Scholarship
SCHOLARSHIP_NAMES = (("国家励志奖学金", "encouragement"), ("国家奖学金", "national"), ("学业奖学金", "school"),
                     ("优秀学生奖学金", "school"), ("校级奖学金", "school"))

READING = HonourReading(choices={"scholarship_level": SCHOLARSHIP_NAMES}, academic_year=True,
                        issuers=("中华人民共和国教育部", "教育部"),
                        patterns={"amount": r"(?:人民币|奖金)[:：]?([0-9,，]{3,6})元"}, number=RULE)

SPEC = honour_spec(
    __name__, READING,
    type="scholarship", name_en="scholarship certificate", name_zh="奖学金证书",
    increase_clause="INC-SCHOL", level_field="scholarship_level", level_field_zh="奖学金类别",
    key_fields=("holder_name", "school", "scholarship_level"),
    level_names={"national": ("National Scholarship", "国家奖学金"),
                 "encouragement": ("National Encouragement Scholarship", "国家励志奖学金"),
                 "school": ("school scholarship", "校级奖学金")},
    level_aliases={"国家奖学金": "national", "国家励志奖学金": "encouragement", "校级": "school"},
    cues=(Cue(8.0, ("奖学金",)), Cue(1.0, ("学年", "特发此证"))),
    classify_rank=9,
    number_checks=(("scholarship_level", "scholarship_level"),),
    minimum_age=16,
    answer_fields={"school": "school as printed", "academic_year": "YYYY-YYYY, the academic year honoured",
                   "scholarship_level": "national | encouragement | school (国家奖学金 / 国家励志奖学金 / 校级)",
                   "amount": "the amount in yuan, digits only"},
)
