"""A collegiate programming contest award: the ICPC Asia regional contests (ACM-ICPC 国际大学生程序设计竞赛亚洲区域赛)
and the China Collegiate Programming Contest (CCPC, 中国大学生程序设计竞赛). Teams of three win gold, silver or
bronze medals at one site (南京站, 沈阳站, ...); each member gets a certificate naming the contest, the site, the
medal, the organiser, the date and a number.

Until issue 25 both were folded into `award`; they are their own type now, with their own fields (competition,
site, medal, year, issuer). The number's layout is INVENTED (coded_number.py): ICPC or CCPC + year + medal
(G/S/B) + serial 5.
"""
from credlift.tools.credentials.base import Cue
from credlift.tools.credentials.coded_number import CodedField, CodedNumberRule
from credlift.tools.credentials.honours import HonourReading, honour_spec

CONTESTS = {"ICPC": "ACM-ICPC 国际大学生程序设计竞赛亚洲区域赛", "CCPC": "中国大学生程序设计竞赛"}
ORGANISERS = {"ICPC": "ICPC亚洲区域赛组织委员会", "CCPC": "中国大学生程序设计竞赛组织委员会"}
RULE = CodedNumberRule("icpc", "ICPC_NUMBER", "programming contest certificate number", CONTESTS,
                       (CodedField("award_level", {"G": "gold", "S": "silver", "B": "bronze"}),),
                       serial_digits=5, prefix_field="competition")
parse_number = RULE.parse

READING = HonourReading(
    choices={"competition": tuple((name, name) for name in CONTESTS.values()) + (
                 ("国际大学生程序设计竞赛", CONTESTS["ICPC"]), ("CCPC", CONTESTS["CCPC"])),
             "award_level": (("金奖", "gold"), ("银奖", "silver"), ("铜奖", "bronze"), ("金牌", "gold"),
                             ("银牌", "silver"), ("铜牌", "bronze"))},
    patterns={"contest_site": r"[（(]([\u4e00-\u9fff]{2,3})站[)）]"},
    issuers=tuple(ORGANISERS.values()), number=RULE)

SPEC = honour_spec(
    __name__, READING,
    type="icpc", name_en="ICPC / CCPC programming contest award", name_zh="ICPC/CCPC 程序设计竞赛获奖证书",
    increase_clause="INC-ICPC", level_field="award_level", level_field_zh="奖项等级",
    key_fields=("holder_name", "competition", "award_level"),
    level_names={"gold": ("gold medal", "金奖"), "silver": ("silver medal", "银奖"), "bronze": ("bronze medal", "铜奖")},
    level_aliases={"金奖": "gold", "银奖": "silver", "铜奖": "bronze", "金牌": "gold", "银牌": "silver", "铜牌": "bronze"},
    cues=(Cue(10.0, ("程序设计竞赛", "ICPC", "CCPC")), Cue(1.0, ("区域赛", "组织委员会"))),
    classify_rank=11,
    number_checks=(("award_level", "award_level"), ("competition", "competition")),
    minimum_age=16,
    answer_fields={"school": "school as printed", "competition": "the contest's name as printed",
                   "contest_site": "the contest site's city (南京站 -> 南京)", "award_level": "gold | silver | bronze"},
)
