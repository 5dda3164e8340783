"""The merit-student certificate (三好学生荣誉证书): a school, a city or a province names the holder a merit student
(good in study, conduct and health) for one academic year. It prints the holder, the school, the academic year,
the honour's scope (校级 / 市级 / 省级, by who awards it), the awarding body, the date and a number.

The number's layout is INVENTED (coded_number.py): SHXS + the year issued + scope + serial 6.
"""
from credlift.tools.credentials.base import Cue
from credlift.tools.credentials.coded_number import CodedField, CodedNumberRule
from credlift.tools.credentials.honours import HonourReading, honour_spec

RULE = CodedNumberRule("merit_student", "MERIT_NUMBER", "merit-student certificate number", {"SHXS": ""},
                       (CodedField("honour_scope", {"P": "provincial", "C": "municipal", "S": "school"}),),
                       serial_digits=6)
parse_number = RULE.parse

#: how the page says each field's value (tools/extraction/parsers/honours.py reads by it)
READING = HonourReading(
    choices={"honour_scope": (("省级三好学生", "provincial"), ("市级三好学生", "municipal"), ("校级三好学生", "school"),
                              ("省三好学生", "provincial"), ("市三好学生", "municipal"), ("校三好学生", "school"))},
    academic_year=True, number=RULE)

SPEC = honour_spec(
    __name__, READING,
    type="merit_student", name_en="merit-student certificate", name_zh="三好学生荣誉证书",
    increase_clause="INC-MERIT", level_field="honour_scope", level_field_zh="荣誉级别",
    key_fields=("holder_name", "school", "honour_scope"),
    level_names={"provincial": ("provincial", "省级"), "municipal": ("municipal", "市级"), "school": ("school", "校级")},
    level_aliases={"省级": "provincial", "市级": "municipal", "校级": "school"},
    cues=(Cue(8.0, ("三好学生",)), Cue(1.0, ("学年", "全面发展", "德智体美劳"))),
    classify_rank=8,
    number_checks=(("honour_scope", "honour_scope"),),
    minimum_age=15,
    answer_fields={"school": "school as printed", "academic_year": "YYYY-YYYY, the academic year honoured",
                   "honour_scope": "provincial | municipal | school (省级 / 市级 / 校级)"},
)
