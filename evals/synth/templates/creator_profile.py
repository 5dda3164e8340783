"""A creator's account page on a social or content platform (创作者中心 / 账号主页), as the phone screenshots it:
nickname and account ID, the follower, following and likes counts, and a list (the real-name holder of the
account, verification status, registration date). The layout is INVENTED in the common shape of these apps
(tools/credentials/creator_profile.py)."""
from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

import numpy as np

from credlift.evals.synth.drawing import Document
from credlift.evals.synth.people import make_person
from credlift.evals.synth.screen import Screen, clock_text
from credlift.evals.synth.templates.base import CredentialTemplate, SynthSpecError, change_digits, parse_iso
from credlift.evals.synth.templates.rider_profile import SCREEN_DAY, thousands

PLATFORMS = {"抖音": (22, 24, 35), "小红书": (255, 36, 66), "微博": (255, 130, 0), "哔哩哔哩": (251, 114, 153),
             "快手": (255, 80, 0), "视频号": (7, 193, 96)}
NICKNAMES = ("小林画画", "阿杰的厨房", "橙子手作", "山川旅拍", "木木设计", "老周修车", "晴天摄影", "一只程序员",
             "糖糖烘焙", "大鹏说车", "阿雅插画", "跑腿小哥日记")


def counted(value: int) -> str:
    """How these apps print a count: 8,532 under ten thousand, 1.2万 from it."""
    return thousands(value) if value < 10_000 else f"{value / 10_000:.1f}万"


def as_printed(value: int) -> int:
    """The count a reader can know from the page (1.2万 -> 12000)."""
    return value if value < 10_000 else int(round(value / 1_000)) * 1_000


def _luma(colour: tuple[int, int, int]) -> float:
    red, green, blue = colour
    return 0.299 * red + 0.587 * green + 0.114 * blue


class CreatorProfileTemplate(CredentialTemplate):
    type = "creator_profile"
    native_capture = "app_screenshot"
    field_names: ClassVar[tuple[str, ...]] = (
        "holder_name", "platform", "certificate_number", "followers", "verified", "issue_date")
    forge_fields = ("followers", "verified")
    copy_move_fields = ("followers",)
    erase_fields = ()

    def _sample(self, rng: np.random.Generator, o: dict[str, Any]) -> dict[str, Any]:
        registered = parse_iso(o["issue_date"], "issue_date") if "issue_date" in o else date(
            int(rng.integers(2014, 2026)), int(rng.integers(1, 13)), int(rng.integers(1, 29)))
        if registered > SCREEN_DAY:
            raise SynthSpecError("issue_date (registered on) must not be after the screenshot.")
        followers = int(o["followers"]) if "followers" in o else int(10 ** rng.uniform(2.0, 5.6))
        verified = o.get("verified") or ("yes" if rng.random() < 0.5 else "no")
        if verified not in ("yes", "no"):
            raise SynthSpecError("verified must be yes or no.")
        return {"holder_name": o.get("holder_name") or make_person(rng, (1975, 2005)).name,
                "platform": o.get("platform") or str(rng.choice(list(PLATFORMS))),
                "certificate_number": o.get("certificate_number") or f"{int(rng.integers(10**8, 10**11))}",
                "followers": as_printed(followers), "verified": verified, "issue_date": registered.isoformat()}

    def display(self, field: str, value: Any, fields: dict[str, Any]) -> str:
        if field == "followers":
            return counted(int(value))
        if field == "verified":
            return "已认证" if value == "yes" else "未认证"
        return str(value)

    def forged_value(self, field: str, value: Any, fields: dict[str, Any], rng: np.random.Generator) -> Any:
        if field == "followers":
            return as_printed(int(value) * int(rng.integers(3, 12)))
        if field == "verified":
            return "yes" if value == "no" else "no"
        if field == "certificate_number":
            return change_digits(str(value), rng, count=2)
        return super().forged_value(field, value, fields, rng)

    def draw(self, fields: dict[str, Any], rng: np.random.Generator) -> Document:
        dark = rng.random() < 0.3
        background, ink, soft, card = (((18, 18, 20), (240, 240, 242), (150, 150, 156), (32, 32, 36)) if dark else
                                       ((246, 246, 248), (22, 22, 26), (128, 128, 136), (255, 255, 255)))
        screen = Screen(rng, background=background)
        accent = PLATFORMS.get(fields["platform"], (255, 36, 66))
        if abs(_luma(accent) - _luma(background)) < 60:  # a near-black brand (抖音) is white on the dark theme
            accent = ink
        w = screen.width_dp
        screen.status_bar(clock_text(rng), dark=dark)
        screen.label(20, 68, "‹", 24, ink)
        screen.label(w / 2, 68, "创作者中心", 18, ink, "bold", anchor="ms")
        screen.label(w - 20, 68, fields["platform"], 12, accent, "bold", anchor="rs")
        screen.panel(92, 112, fill=card)
        screen.avatar(28, 108, 64)
        screen.label(108, 132, str(rng.choice(NICKNAMES)), 20, ink, "bold")
        screen.line(screen.dp(108), screen.dp(160), [("账号ID：", None), (fields["certificate_number"], "certificate_number")],
                    screen.dp(13), "sans", "regular", soft)
        screen.label(108, 184, "个人简介：记录生活，分享作品", 12, soft)
        screen.panel(216, 88, fill=card)
        cell = (w - 24) / 3
        following = int(rng.integers(20, 900))
        likes = as_printed(int(fields["followers"] * rng.uniform(2, 30)))
        stats = ((counted(following), "关注", None), (counted(fields["followers"]), "粉丝", "followers"),
                 (counted(likes), "获赞与收藏", None))
        for i, (text, caption, name) in enumerate(stats):
            centre = 12 + cell * (i + 0.5)
            screen.label(centre, 256, text, 22, ink, "bold", field=name, anchor="ms")
            screen.label(centre, 284, caption, 12, soft, anchor="ms")
        screen.panel(316, 152, fill=card)
        rows = (("实名主体", fields["holder_name"], "holder_name"),
                ("认证状态", self.display("verified", fields["verified"], fields), "verified"),
                ("注册时间", fields["issue_date"], "issue_date"))
        for i, (caption, value, name) in enumerate(rows):
            baseline = 352 + 48 * i
            screen.label(28, baseline, caption, 15, soft)
            colour = accent if name == "verified" and fields["verified"] == "yes" else ink
            screen.label(w - 28, baseline, value, 15, colour, field=name, anchor="rs")
        screen.nav_bar(("首页", "发现", "消息", "我"), 3, accent)
        return screen.finish()
