"""Certificates written as a sentence (学生张三，男，一九九八年三月十二日生，于……在本校……专业学习): its parts."""
from __future__ import annotations

import re

from credlift.tools.extraction.normalise import parse_dates
from credlift.tools.extraction.parsers.base import PageLayout, ParsedCredential

_PERSON = re.compile(r"^(?:学生|研究生)?([\u4e00-\u9fff·]{2,5}?)[,，]?(?:性别[:：]?)?([男女])[,，]")
_BIRTH = re.compile(r"([0-9〇○零一二三四五六七八九十]{4}年[0-9〇○零一二三四五六七八九十]{1,3}月[0-9〇○零一二三四五六七八九十]{1,3}日)生")
_MAJOR = re.compile(r"在(?:本校|我校)?([\u4e00-\u9fff()（）]{2,40}?)专业")
_SCHOOL_PREFIX = re.compile(r"^.*(?:大学|学院|学校)(?:[（(][\u4e00-\u9fff]{2,4}[)）])?")


GENDERS = {"男": "male", "女": "female"}


def prose_text(page: PageLayout) -> str:
    return "".join(page.row_texts())


def read_prose_person(page: PageLayout, parsed: ParsedCredential) -> None:
    """Name and gender from 'X, 男' / '学生X 性别男', birth date from '...日生'."""
    text = prose_text(page)
    for row in page.row_texts():
        match = _PERSON.search(row)
        if match:
            if parsed.get("holder_name") is None:
                parsed.set("holder_name", match.group(1), 0.9)
            parsed.set("gender", GENDERS[match.group(2)], 0.95)
            break
    if parsed.get("gender") is None:
        found = page.value_after(("性别",), lambda t: GENDERS.get(t[:1]), ())
        if found:
            parsed.set("gender", found[0], found[1].confidence, found[1].index)
    birth = _BIRTH.search(text)
    if birth:
        dates = parse_dates(birth.group(1))
        if dates:
            parsed.set("birth_date", dates[0], 0.95)
    if parsed.get("birth_date") is None:
        found = page.value_after(("出生日期", "出生年月", "出生"), lambda t: (parse_dates(t) or [None])[0], ())
        if found:
            parsed.set("birth_date", found[0], found[1].confidence, found[1].index)


def read_major(page: PageLayout, parsed: ParsedCredential) -> None:
    found = page.value_after(("专业名称:", "所学专业:", "专业:"), lambda t: t if 2 <= len(t) <= 20 and re.fullmatch(r"[\u4e00-\u9fff()（）]+", t) else None,
                             ("学制", "层次", "学历"))
    if found:
        parsed.set("major", found[0], found[1].confidence, found[1].index)
        return
    match = _MAJOR.search(prose_text(page))
    if match:
        major = match.group(1)
        if major.startswith(("本校", "我校")):
            major = major[2:]
        school = parsed.get("school")
        if school and major.startswith(str(school)):
            major = major[len(str(school)):]
        elif _SCHOOL_PREFIX.match(major) and not major.endswith(("大学", "学院")):
            major = _SCHOOL_PREFIX.sub("", major)
        if 2 <= len(major) <= 20:
            parsed.set("major", major, 0.9)
