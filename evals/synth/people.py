"""Plausible Chinese holders: name, gender, birth date and a resident ID number that passes GB 11643."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from credlift.tools.credential_numbers import RESIDENT_AREA_CODES, make_resident_id

# common surnames, roughly in order of frequency (the first ones are drawn more often)
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦"
    "付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "慕容")
GIVEN_FEMALE = "晓雨婷静丽敏燕芳娜秀慧佳欣怡梦雪琳颖洁倩玉萍红霞嘉妍思涵诗悦雅宁璐瑶彤菲蕾薇月馨冰晴蓉"
GIVEN_MALE = "伟强磊军勇杰涛明超鹏浩宇俊博文斌辉鑫轩然子豪晨阳建华志峰凯东亮健昊天翔泽睿航远卓毅成康"
GIVEN_NEUTRAL = "子一可安乐宁嘉思若星云晨语知清秋春海林"


@dataclass(frozen=True)
class Person:
    name: str
    gender: str          # male | female
    birth_date: date
    id_number: str       # personal data: synthetic, never a real person's

    @property
    def gender_zh(self) -> str:
        return "男" if self.gender == "male" else "女"


def _surname(rng: np.random.Generator) -> str:
    if rng.random() < 0.015:
        return str(rng.choice(COMPOUND_SURNAMES))
    weights = 1.0 / np.arange(1, len(SURNAMES) + 1) ** 0.7
    return SURNAMES[int(rng.choice(len(SURNAMES), p=weights / weights.sum()))]


def make_name(rng: np.random.Generator, gender: str) -> str:
    pool = (GIVEN_FEMALE if gender == "female" else GIVEN_MALE) + GIVEN_NEUTRAL
    length = 1 if rng.random() < 0.3 else 2
    given = "".join(pool[int(i)] for i in rng.choice(len(pool), size=length, replace=False))
    return _surname(rng) + given


def make_person(rng: np.random.Generator, born_between: tuple[int, int] = (1985, 2004),
                name: str | None = None, gender: str | None = None, birth_date: date | None = None) -> Person:
    gender = gender or ("female" if rng.random() < 0.5 else "male")
    if birth_date is None:
        start = date(born_between[0], 1, 1)
        span = (date(born_between[1], 12, 31) - start).days
        birth_date = start + timedelta(days=int(rng.integers(0, span + 1)))
    area = str(rng.choice(RESIDENT_AREA_CODES))
    id_number = make_resident_id(area, birth_date, int(rng.integers(1, 999)), gender=gender)
    return Person(name=name or make_name(rng, gender), gender=gender, birth_date=birth_date, id_number=id_number)


def old_enough(person: Person, on: date, years: int) -> Person:
    """`person`, born early enough to be `years` old on `on`: a holder too young for the credential is moved back
    by whole years (same day, same area and sequence in the ID number). Draws nothing, so every later draw of a
    seeded document stays the same."""
    latest_year = on.year - years - (1 if (person.birth_date.month, person.birth_date.day) > (on.month, on.day) else 0)
    if person.birth_date.year <= latest_year:
        return person
    day = min(person.birth_date.day, 28) if person.birth_date.month == 2 else person.birth_date.day
    birth_date = person.birth_date.replace(year=latest_year, day=day)
    id_number = make_resident_id(person.id_number[:6], birth_date, int(person.id_number[14:17]), gender=person.gender)
    return Person(name=person.name, gender=person.gender, birth_date=birth_date, id_number=id_number)
