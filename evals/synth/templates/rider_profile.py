"""A delivery rider's profile page in the platform's rider app (骑手主页), as the phone screenshots it: the rider's
name and rider ID, three stat cells (orders delivered, service rating, months active) and a list (registered on,
this month's earnings). The layout is INVENTED in the common shape of these apps (tools/credentials/
rider_profile.py); the platforms' names are printed as riders know them."""
from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

import numpy as np

from credlift.evals.synth.drawing import Document
from credlift.evals.synth.people import make_person
from credlift.evals.synth.screen import Screen, clock_text
from credlift.evals.synth.templates.base import CredentialTemplate, SynthSpecError, change_digits, parse_iso

#: platform -> its accent colour
PLATFORMS = {"美团骑手": (255, 196, 0), "蜂鸟即配": (0, 122, 255), "达达骑士": (24, 144, 255),
             "顺丰同城骑士": (220, 38, 38), "闪送": (255, 106, 0), "UU跑腿": (255, 150, 30)}
#: the day the screenshots are taken relative to (months active count up to it)
SCREEN_DAY = date(2026, 11, 20)


def months_between(start: date, end: date) -> int:
    return max(0, (end.year - start.year) * 12 + end.month - start.month)


def thousands(value: float, decimals: int = 0) -> str:
    return f"{value:,.{decimals}f}"


class RiderProfileTemplate(CredentialTemplate):
    type = "rider_profile"
    native_capture = "app_screenshot"
    field_names: ClassVar[tuple[str, ...]] = (
        "holder_name", "platform", "certificate_number", "months_active", "orders", "rating", "issue_date",
        "monthly_earnings")
    forge_fields = ("orders", "months_active", "monthly_earnings")
    copy_move_fields = ("orders", "certificate_number")
    erase_fields = ("monthly_earnings",)

    def _sample(self, rng: np.random.Generator, o: dict[str, Any]) -> dict[str, Any]:
        registered = parse_iso(o["issue_date"], "issue_date") if "issue_date" in o else date(
            int(rng.integers(2020, 2026)), int(rng.integers(1, 13)), int(rng.integers(1, 29)))
        if registered > SCREEN_DAY:
            raise SynthSpecError("issue_date (registered on) must not be after the screenshot.")
        span = months_between(registered, SCREEN_DAY)
        months = int(o["months_active"]) if "months_active" in o else max(1, span - int(rng.integers(0, 1 + span // 4)))
        if months > span + 1:
            raise SynthSpecError("months_active cannot exceed the months since registration.")
        orders = int(o["orders"]) if "orders" in o else int(months * rng.uniform(250, 700))
        rating = round(float(o["rating"]), 2) if "rating" in o else round(float(rng.uniform(4.6, 5.0)), 2)
        earnings = round(float(o["monthly_earnings"]), 2) if "monthly_earnings" in o else round(
            float(rng.uniform(3000, 11000)), 2)
        name = o.get("holder_name") or make_person(rng, (1975, 2004)).name
        return {"holder_name": name, "platform": o.get("platform") or str(rng.choice(list(PLATFORMS))),
                "certificate_number": o.get("certificate_number") or f"{int(rng.integers(10**9, 10**10))}",
                "months_active": months, "orders": orders, "rating": rating, "issue_date": registered.isoformat(),
                "monthly_earnings": earnings}

    def display(self, field: str, value: Any, fields: dict[str, Any]) -> str:
        if field == "orders":
            return thousands(int(value))
        if field == "rating":
            return f"{float(value):.2f}"
        if field == "monthly_earnings":
            return f"¥{thousands(float(value), 2)}"
        if field == "issue_date":
            return date.fromisoformat(value).strftime("%Y-%m-%d")
        return str(value)

    def forged_value(self, field: str, value: Any, fields: dict[str, Any], rng: np.random.Generator) -> Any:
        if field == "orders":
            return int(value) + int(rng.integers(1, 9)) * 10 ** max(1, len(str(int(value))) - 2)
        if field == "months_active":
            return int(value) + int(rng.integers(6, 25))
        if field == "monthly_earnings":
            return round(float(value) + float(rng.integers(2, 9)) * 1000, 2)
        if field == "certificate_number":
            return change_digits(str(value), rng, count=2)
        return super().forged_value(field, value, fields, rng)

    def draw(self, fields: dict[str, Any], rng: np.random.Generator) -> Document:
        screen = Screen(rng, background=(244, 245, 247))
        accent = PLATFORMS.get(fields["platform"], (255, 196, 0))
        w = screen.width_dp
        screen.draw.rectangle((0, 0, screen.width, screen.dp(200)), fill=accent)
        dark_bar = sum(accent) < 450
        screen.status_bar(clock_text(rng), dark=dark_bar)
        head = (255, 255, 255) if dark_bar else (25, 25, 28)
        screen.label(20, 64, "‹", 24, head)
        screen.label(w / 2, 64, "骑手主页", 18, head, "bold", anchor="ms")
        screen.label(w / 2, 88, fields["platform"], 12, head, anchor="ms")
        screen.panel(108, 104)
        screen.avatar(28, 124, 56)
        screen.label(100, 148, fields["holder_name"], 20, (20, 20, 24), "bold", field="holder_name")
        screen.line(screen.dp(100), screen.dp(176), [("骑手ID：", None), (fields["certificate_number"], "certificate_number")],
                    screen.dp(13), "sans", "regular", (110, 110, 118))
        screen.label(100, 198, "已实名认证 · 健康证已上传", 11, (60, 150, 90))
        screen.panel(224, 96)
        cell = (w - 24) / 3
        stats = (("orders", "累计接单(单)"), ("rating", "服务评分"), ("months_active", "跑单月数"))
        for i, (name, caption) in enumerate(stats):
            centre = 12 + cell * (i + 0.5)
            screen.label(centre, 268, self.display(name, fields[name], fields), 24, (20, 20, 24), "bold", field=name,
                         anchor="ms")
            screen.label(centre, 296, caption, 12, (130, 130, 138), anchor="ms")
        screen.panel(332, 152)
        rows = (("注册时间", "issue_date"), ("本月收入", "monthly_earnings"), ("所属站点", None))
        station = str(rng.choice(["朝阳望京站", "浦东张江站", "天河体育西站", "南山科技园站", "武侯高升桥站",
                                  "西湖文三站", "江汉万松园站"]))
        for i, (caption, name) in enumerate(rows):
            baseline = 368 + 48 * i
            screen.label(28, baseline, caption, 15, (60, 60, 66))
            value = self.display(name, fields[name], fields) if name else station
            screen.label(w - 28, baseline, value, 15, (20, 20, 24), field=name, anchor="rs")
            if i < len(rows) - 1:
                screen.draw.line((screen.dp(28), screen.dp(baseline + 20), screen.dp(w - 28), screen.dp(baseline + 20)),
                                 fill=(236, 236, 238), width=1)
        screen.nav_bar(("接单", "订单", "消息", "我的"), 3, accent if sum(accent) < 600 else (40, 40, 44))
        return screen.finish()
