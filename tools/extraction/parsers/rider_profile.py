"""A delivery rider's profile page (screenshot): name, rider ID, platform, orders, rating, months active,
registration date, this month's earnings; the tenure band the policy prices it by."""
from __future__ import annotations

import re

from credlift.tools.credentials.rider_profile import tenure_band
from credlift.tools.extraction.parsers.base import CredentialParser, PageLayout, ParsedCredential
from credlift.tools.extraction.parsers.common import accept_name
from credlift.tools.extraction.parsers.screen import number_of, row_value, screen_date, stat_above

PLATFORMS = ("美团骑手", "蜂鸟即配", "达达骑士", "顺丰同城骑士", "闪送", "UU跑腿")
_RIDER_ID = re.compile(r"骑手ID[:：]?\s*(\d{6,12})", re.IGNORECASE)


class RiderProfileParser(CredentialParser):
    credential_type = "rider_profile"

    def parse(self, page: PageLayout) -> ParsedCredential:
        parsed = ParsedCredential()
        found = page.search(_RIDER_ID)
        if found:
            match, line = found
            parsed.set("certificate_number", match.group(1), line.confidence, line.index)
            name_line = _name_above(page, line)
            if name_line is not None:
                parsed.set("holder_name", accept_name(name_line.text), name_line.confidence, name_line.index)
        platform = next((p for p in PLATFORMS if page.contains(p)), None)
        if platform:
            line = next(line for line in page.lines if platform in line.text)
            parsed.set("platform", platform, line.confidence, line.index)
        for key, captions, integer in (("orders", ("累计接单",), True), ("rating", ("服务评分",), False),
                                       ("months_active", ("跑单月数",), True)):
            line = stat_above(page, captions)
            value = number_of(line.text.split("累计接单")[0], integer) if line is not None else None
            if value is not None:
                parsed.set(key, value, line.confidence, line.index)
        registered = row_value(page, ("注册时间", "注册日期"))
        if registered is not None and screen_date(registered.text):
            parsed.set("issue_date", screen_date(registered.text), registered.confidence, registered.index)
        earnings = row_value(page, ("本月收入",))
        if earnings is not None and number_of(earnings.text) is not None:
            parsed.set("monthly_earnings", number_of(earnings.text), earnings.confidence, earnings.index)
        months = parsed.get("months_active")
        if months is not None:
            reading = parsed.fields["months_active"]
            parsed.set("tenure_band", tenure_band(int(months)), reading.confidence, reading.line_index)
        return parsed


def _name_above(page: PageLayout, id_line):
    """The rider's name: the nearest line above the rider ID that reads as a name."""
    above = [line for line in page.lines if line.bottom <= id_line.y + 0.3 * id_line.h
             and id_line.y - line.bottom < 3 * max(line.h, id_line.h) and accept_name(line.text)]
    return max(above, key=lambda line: line.bottom) if above else None
