"""One interface for every credential template, and the shared vocabulary they draw from."""
from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import date
from typing import Any, ClassVar

import numpy as np

from credlift.errors import UserInputError
from credlift.evals.synth.drawing import Document
from credlift.tools.credential_numbers import PROVINCE_CODES, School, load_schools, schools_by_name

LANDSCAPE = (1600, 1130)
PORTRAIT = (1130, 1600)

PROVINCE_CODE_BY_NAME = {name: code for code, name in PROVINCE_CODES.items()}

# (major, discipline of the degree) for bachelor and postgraduate programmes
MAJORS: tuple[tuple[str, str], ...] = (
    ("计算机科学与技术", "工学"), ("软件工程", "工学"), ("电子信息工程", "工学"), ("机械设计制造及其自动化", "工学"),
    ("土木工程", "工学"), ("电气工程及其自动化", "工学"), ("通信工程", "工学"), ("数学与应用数学", "理学"),
    ("物理学", "理学"), ("化学", "理学"), ("统计学", "理学"), ("护理学", "理学"), ("汉语言文学", "文学"),
    ("英语", "文学"), ("新闻学", "文学"), ("会计学", "管理学"), ("工商管理", "管理学"), ("市场营销", "管理学"),
    ("金融学", "经济学"), ("国际经济与贸易", "经济学"), ("法学", "法学"), ("临床医学", "医学"),
    ("学前教育", "教育学"), ("视觉传达设计", "艺术学"), ("农学", "农学"), ("历史学", "历史学"),
)
JUNIOR_COLLEGE_MAJORS: tuple[str, ...] = (
    "计算机应用技术", "大数据与会计", "护理", "电子商务", "机电一体化技术", "学前教育", "汽车检测与维修技术",
    "市场营销", "工程造价", "软件技术", "酒店管理与数字化运营", "物流管理",
)
SURNAMES_OF_OFFICIALS = "王李张刘陈杨黄赵吴周徐孙朱胡郭何高林罗郑"


class SynthSpecError(UserInputError, ValueError):
    """A synthetic-credential request that cannot be drawn (unknown field, impossible value, bad argument)."""


class CredentialTemplate(ABC):
    """A credential type: samples consistent ground-truth fields and draws them like the real document."""

    type: ClassVar[str]
    #: every field key this template may put in a label
    field_names: ClassVar[tuple[str, ...]]
    #: fields a forger retypes or splices, in order of preference
    forge_fields: ClassVar[tuple[str, ...]]
    #: digit fields a forger changes by copy-moving digits
    copy_move_fields: ClassVar[tuple[str, ...]]
    #: fields whose whole line a forger erases
    erase_fields: ClassVar[tuple[str, ...]]
    #: a page that exists only on a screen (an app's page): it is always captured this way (capture.py)
    native_capture: ClassVar[str | None] = None

    def sample_fields(self, rng: np.random.Generator, overrides: dict[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(overrides) - set(self.field_names))
        if unknown:
            raise SynthSpecError(f"{', '.join(unknown)} is not a field of a {self.type} credential "
                                 f"(fields: {', '.join(self.field_names)}).")
        return self._sample(rng, dict(overrides))

    @abstractmethod
    def _sample(self, rng: np.random.Generator, o: dict[str, Any]) -> dict[str, Any]:
        """Ground-truth fields; an override in `o` wins and the fields derived from it follow it."""

    @abstractmethod
    def draw(self, fields: dict[str, Any], rng: np.random.Generator) -> Document:
        """The page, every field value in a run tagged with its field name."""

    def display(self, field: str, value: Any, fields: dict[str, Any]) -> str:
        """How a field value is printed in its run (used when a forger retypes it)."""
        return str(value)

    def forged_value(self, field: str, value: Any, fields: dict[str, Any], rng: np.random.Generator) -> Any:
        """The value a forger would rather show: a better score, another name, a higher level."""
        if field == "holder_name":
            from credlift.evals.synth.people import make_name

            for _ in range(20):
                name = make_name(rng, "female" if rng.random() < 0.5 else "male")
                if name != value and len(name) == len(str(value)):
                    return name
            return str(value)[0] + ("伟" if str(value)[-1] != "伟" else "强")
        if field == "certificate_number":
            return change_digits(str(value), rng, count=int(rng.integers(1, 3)), keep_prefix=len(str(value)) - 6)
        raise SynthSpecError(f"{self.type}: no forged value for field {field}")


# ---------------------------------------------------------------------- shared helpers

def change_digits(text: str, rng: np.random.Generator, count: int = 1, keep_prefix: int = 0) -> str:
    """`text` with `count` digits after `keep_prefix` replaced by other digits (a serial-number edit)."""
    chars = list(text)
    positions = [i for i, ch in enumerate(chars) if ch.isdigit() and i >= max(0, keep_prefix)]
    for i in rng.choice(positions, size=min(count, len(positions)), replace=False):
        old = chars[int(i)]
        chars[int(i)] = str(rng.choice([d for d in "0123456789" if d != old]))
    return "".join(chars)


def pick_school(rng: np.random.Generator, level: str = "本科", research: bool = False,
                name: str | None = None) -> School:
    if name is not None:
        school = schools_by_name().get(name)
        if school is None:
            raise SynthSpecError(f"{name} is not in the schools list (schools.csv); numbers need its code.")
        return school
    pool = [s for s in load_schools() if s.level == level and (not research or (s.code.startswith("10") and s.authority == "教育部"))]
    return pool[int(rng.integers(len(pool)))]


def province_code_of(school: School) -> str:
    return PROVINCE_CODE_BY_NAME.get(school.province, "11")


def parse_iso(value: str, name: str) -> date:
    try:
        parts = [int(p) for p in str(value).split("-")]
        return date(parts[0], parts[1], parts[2] if len(parts) > 2 else 1)
    except (ValueError, IndexError):
        raise SynthSpecError(f"{name} must be an ISO date (YYYY-MM-DD or YYYY-MM), not {value!r}.") from None


def official_name(rng: np.random.Generator) -> str:
    from credlift.evals.synth.people import make_name

    return SURNAMES_OF_OFFICIALS[int(rng.integers(len(SURNAMES_OF_OFFICIALS)))] + make_name(rng, "male")[-2:]


def ink(rng: np.random.Generator) -> tuple[int, int, int]:
    """Near-black print ink, slightly different per document."""
    base = int(rng.integers(15, 45))
    return (base, base + int(rng.integers(0, 6)), base + int(rng.integers(0, 12)))

