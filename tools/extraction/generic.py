"""Any credential (issue 25.4): a page that is none of the registered types, read into one common schema and
placed in the taxonomy of credential kinds (knowledge/taxonomy).

The common schema: `title` (as printed), `holder_name`, `issuer`, `level`, `issue_date`, `valid_from` /
`valid_until`, `certificate_number`; the placement adds `credential_kind` (a taxonomy id, or `unlisted`) and
`policy_class`. The policy engine reads the class (tools/limits.py: an unknown but plausible credential goes to
a person with these fields prefilled, never to an automatic increase). A page with no credential-like title and
too little of the schema stays a plain `other` (the "not one we accept" reply), and a photo without text stays
"not a certificate".

`GenericParser` reads OCR lines; a vision model fills the same keys from its prompt (prompts/*/vlm_extraction.yaml)
and `place_in_taxonomy` places either reading.
"""
from __future__ import annotations

import re

from credlift.domain.credential import CredentialRecord
from credlift.tools.extraction.parsers.base import CredentialParser, PageLayout, ParsedCredential
from credlift.tools.extraction.parsers.common import (NUMBER_LABELS, STOP_LABELS, read_holder, read_issue_date,
                                                      read_signing_issuer, read_validity)

COMMON_FIELDS = ("title", "holder_name", "issuer", "level", "issue_date", "valid_from", "valid_until",
                 "certificate_number")
#: words a credential's title ends with or contains
TITLE_WORDS = re.compile(r"(证书|证明书|合格证|资格证|执照|许可证|操作证|荣誉|奖状|成绩单|成绩报告|证$|CERTIFICATE|DIPLOMA|"
                         r"LICEN[CS]E|CERTIFICATION|SCORE REPORT|AWARD)", re.IGNORECASE)
ISSUER_LABELS = ("发证机关", "发证机构", "发证单位", "颁发单位", "颁证单位", "签发机关", "认证机构", "批准机关", "主办单位",
                 "考核机构", "Issued by", "Issuer")
LEVEL_LABELS = ("资格级别", "等级", "级别", "等次", "奖项", "成绩", "Level", "Grade")
_LEVEL_WORDS = re.compile(r"(特等奖|一等奖|二等奖|三等奖|优秀奖|金奖|银奖|铜奖|一级|二级|三级|四级|五级|初级|中级|高级|"
                          r"[ABC]级|N[1-5]|合格|优秀|良好)")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_NUMBER = re.compile(r"^[A-Z0-9][A-Z0-9\-]{5,29}$")
_HOLDER = re.compile(r"(?:(?:兹证明|授予)([\u4e00-\u9fff·]{2,4}?)(?:同学|同志|先生|女士|，|,|于|在|参加|经)"
                     r"|^([\u4e00-\u9fff·]{2,4}?)(?:同学|同志))")
_SIGNING_BODY = re.compile(r"[\u4e00-\u9fff（）()]{4,30}(?:院|所|会|部|厅|局|中心|公司|委员会|学校|大学|学院|协会|基金会)")
#: how much of the schema a page without a credential-like title must show to be read as one
MIN_SCHEMA_FIELDS = 3


def _accept_number(text: str) -> str | None:
    candidate = re.sub(r"[\s:：]", "", text).upper()
    return candidate if _NUMBER.match(candidate) and any(ch.isdigit() for ch in candidate) else None


def _accept_level(text: str) -> str | None:
    """A level or grade: a level word in the value (成绩优秀，特发此证 -> 优秀), else a short value as printed."""
    match = _LEVEL_WORDS.search(text)
    if match:
        return match.group(1)
    return text if 1 <= len(text) <= 6 else None


def title_lines(page: PageLayout, rows: int = 3) -> list[str]:
    """The page's title: the tallest lines in its top third (then the first rows), as printed."""
    if not page.lines:
        return []
    top = min(line.y for line in page.lines)
    bottom = max(line.bottom for line in page.lines)
    upper = [line for line in page.lines if line.y <= top + 0.4 * (bottom - top) and len(line.text) >= 2]
    tallest = sorted(upper, key=lambda line: line.h, reverse=True)[:rows]
    return [line.text for line in sorted(tallest, key=lambda line: line.y)]


def title_candidates(page: PageLayout) -> list[str]:
    """The title lines without field lines: a label's line (身份证号：…, 姓名：…) is not the title."""
    return [text for text in title_lines(page) if not re.search(r"[:：]", text)]


class GenericParser(CredentialParser):
    credential_type = "other"

    def parse(self, page: PageLayout) -> ParsedCredential:
        parsed = ParsedCredential()
        titles = title_candidates(page)
        title = next((text for text in titles if TITLE_WORDS.search(text)), None) or next(
            (text for text in titles if len(_CJK.findall(text)) >= 2), None)
        if title:
            line = next(line for line in page.lines if line.text == title)
            parsed.set("title", title, line.confidence * 0.9, line.index)
        read_holder(page, parsed)
        if parsed.get("holder_name") is None:
            for line in page.lines:
                match = _HOLDER.search(line.text)
                name = match and (match.group(1) or match.group(2))
                if name and name not in (title or ""):
                    parsed.set("holder_name", name, line.confidence * 0.8, line.index)
                    break
        found = page.labelled_or_anywhere(NUMBER_LABELS, _accept_number, lambda candidate: False)
        if found:
            parsed.set("certificate_number", found[0], found[1].confidence, found[1].index)
        issuer = page.value_after(ISSUER_LABELS, lambda text: text if len(text) >= 4 else None, STOP_LABELS)
        if issuer:
            parsed.set("issuer", issuer[0], issuer[1].confidence, issuer[1].index)
        else:
            read_signing_issuer(page, parsed)
        if parsed.get("issuer") is None:  # an examination authority (考试院, 研究所) signing at the foot
            lower = [line for line in page.lines if line.text not in titles and _SIGNING_BODY.fullmatch(line.text)]
            if lower:
                line = max(lower, key=lambda line: line.y)
                parsed.set("issuer", line.text, line.confidence * 0.85, line.index)
        level = page.value_after(LEVEL_LABELS, _accept_level, STOP_LABELS)
        if level:
            parsed.set("level", level[0], level[1].confidence, level[1].index)
        else:
            for line in page.lines:
                if line.text in titles:
                    continue
                match = _LEVEL_WORDS.search(line.text)
                if match:
                    parsed.set("level", match.group(1), line.confidence * 0.8, line.index)
                    break
        read_validity(page, parsed)
        read_issue_date(page, parsed)
        return parsed


def named_by_title(page: PageLayout) -> bool:
    """The page's title names a taxonomy kind that is not a registered type (高级会计专业技术资格证书 is not the
    accounting qualification the registry prices; 全国大学生电子设计竞赛获奖证书 is not one of `award`'s
    competitions): the generic path reads it, whatever the type classifier's cues say."""
    from credlift.knowledge.taxonomy import REGISTERED, taxonomy

    title = " ".join(title_candidates(page))  # 身份证号：… under a CET title does not make the page an ID card
    match = taxonomy().match(title) if title else None
    return match is not None and match.where == "title" and match.policy_class.id != REGISTERED


def looks_like_a_credential(record: CredentialRecord) -> bool:
    """A title that names a credential, or enough of the common schema (holder, number, issuer, dates)."""
    fields = record.fields
    if fields.get("title") and TITLE_WORDS.search(str(fields["title"])):
        return True
    present = sum(1 for key in ("holder_name", "certificate_number", "issuer", "issue_date", "valid_until")
                  if fields.get(key))
    return present >= MIN_SCHEMA_FIELDS and bool(fields.get("certificate_number") or fields.get("issuer"))


def place_in_taxonomy(record: CredentialRecord) -> CredentialRecord:
    """An `other` record with its kind and policy class added (the taxonomy's name for its title, else `unlisted`
    when it looks like a credential); anything else unchanged."""
    if record.type != "other":
        return record
    from credlift.knowledge.taxonomy import taxonomy

    known = taxonomy()
    title = str(record.fields.get("title") or "")
    body = " ".join(record.text_lines)
    match = known.match(title, body) if (title or body) else None
    if match is None and looks_like_a_credential(record):
        match = known.unlisted()
    if match is None:
        return record
    record.fields["credential_kind"] = match.kind.id
    record.fields["policy_class"] = match.policy_class.id
    record.confidence["credential_kind"] = 0.9 if match.where == "title" else (0.7 if match.where == "body" else 0.5)
    return record


def review_route(record: CredentialRecord) -> tuple[str, str, str] | None:
    """(kind id, English name, Chinese name) when the record is an unknown credential that a person should read
    (its class routes to review), else None. The class is looked up again, never taken from the record's word."""
    if record.type != "other" or not record.fields.get("credential_kind"):
        return None
    from credlift.knowledge.taxonomy import taxonomy

    known = taxonomy()
    kind_id = str(record.fields["credential_kind"])
    kind = known.kind(kind_id)
    if kind is None:
        kind = known.unlisted().kind if kind_id == known.unlisted().kind.id else None
    if kind is None or known.classes[kind.policy_class].route == "not_counted":
        return None
    return kind.id, kind.en, kind.zh
