"""What credlift sends to each issuer's online query and what it gets back: the wire contracts, one pair per
issuer (the local simulator, evals/issuer_simulator.py, serves exactly these shapes).

| issuer | path | asked by | answers |
| --- | --- | --- | --- |
| CHSI online verification report (学信网在线验证报告) | `POST /chsi/report` | the report's online verification code | the graduation or degree record it certifies |
| CET score query (全国大学英语四六级考试成绩查询) | `POST /cet/score` | the score report number | level, exam session, scores, holder |
| national skill-certificate query (技能人才评价证书全国联网查询) | `POST /skill/certificate` | the certificate number | occupation, level, holder, issue date |

Every answer is HTTP 200 with `found` true (and the record) or false (no such code or number); any other status
means the issuer could not answer (503 while it is down). No ID numbers cross the wire: the holder is compared by
name, the ID number stays with the account.
"""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

IssuerName = Literal["chsi", "cet", "skill"]


class _Shape(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- CHSI online verification report -------------------------------------------------------------------
class ChsiReportQuery(_Shape):
    verification_code: str = Field(description="the report's online verification code (在线验证码), as printed")


class ChsiRecord(_Shape):
    verification_code: str
    credential_type: Literal["graduation", "degree"]
    holder_name: str
    gender: str = ""
    birth_date: str = ""
    school: str
    level: str = Field(default="", description="graduation level code (bachelor, master, ...); empty on a degree")
    degree_level: str = Field(default="", description="degree level code; empty on a graduation record")
    major: str = ""
    certificate_number: str
    issue_date: str = ""
    report_valid_until: str = Field(default="", description="the report's online check is valid until (ISO date)")


class ChsiReportAnswer(_Shape):
    found: bool
    record: ChsiRecord | None = None


# --- CET score query ------------------------------------------------------------------------------------
class CetScoreQuery(_Shape):
    certificate_number: str = Field(description="the score report number (成绩报告单编号), 15 digits")


class CetRecord(_Shape):
    certificate_number: str
    level: Literal["cet4", "cet6"]
    holder_name: str
    school: str = ""
    exam_session: str = Field(default="", description="YYYY-MM")
    total_score: int
    listening: int | None = None
    reading: int | None = None
    writing_translation: int | None = None


class CetScoreAnswer(_Shape):
    found: bool
    record: CetRecord | None = None


# --- national skill-certificate query --------------------------------------------------------------------
class SkillCertificateQuery(_Shape):
    certificate_number: str


class SkillRecord(_Shape):
    certificate_number: str
    holder_name: str
    occupation: str = ""
    skill_level: str = ""
    issuer: str = Field(default="", description="the assessment body (评价机构)")
    issue_date: str = ""


class SkillCertificateAnswer(_Shape):
    found: bool
    record: SkillRecord | None = None


#: issuer -> (path, query model, answer model)
ENDPOINTS: dict[str, tuple[str, type[_Shape], type[_Shape]]] = {
    "chsi": ("/chsi/report", ChsiReportQuery, ChsiReportAnswer),
    "cet": ("/cet/score", CetScoreQuery, CetScoreAnswer),
    "skill": ("/skill/certificate", SkillCertificateQuery, SkillCertificateAnswer),
}
#: credential type -> the issuer whose online query answers for it by certificate number
ISSUER_OF_TYPE: dict[str, IssuerName] = {"cet4": "cet", "cet6": "cet", "vocational": "skill"}
