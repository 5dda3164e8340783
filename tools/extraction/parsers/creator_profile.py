"""A creator's account page (screenshot): the real-name holder, account ID, platform, followers, verification
status and registration date; the audience band the policy prices it by."""
from __future__ import annotations

import re

from credlift.tools.credentials.creator_profile import audience_band
from credlift.tools.extraction.parsers.base import CredentialParser, PageLayout, ParsedCredential
from credlift.tools.extraction.parsers.common import accept_name
from credlift.tools.extraction.parsers.screen import number_of, row_value, screen_date, stat_above

PLATFORMS = ("哔哩哔哩", "小红书", "视频号", "抖音", "微博", "快手")
#: what OCR reads for a platform's name (its model does not know 哔)
READ_AS = {"哗哩哗哩": "哔哩哔哩", "哗哩哔哩": "哔哩哔哩", "哔哩哗哩": "哔哩哔哩"}
_ACCOUNT_ID = re.compile(r"账号ID[:：]?\s*(\d{6,12})", re.IGNORECASE)


class CreatorProfileParser(CredentialParser):
    credential_type = "creator_profile"

    def parse(self, page: PageLayout) -> ParsedCredential:
        parsed = ParsedCredential()
        found = page.search(_ACCOUNT_ID)
        if found:
            parsed.set("certificate_number", found[0].group(1), found[1].confidence, found[1].index)
        spellings = [(p, p) for p in PLATFORMS] + list(READ_AS.items())
        found_platform = next(((printed, name) for printed, name in spellings if page.contains(printed)), None)
        if found_platform:
            line = next(line for line in page.lines if found_platform[0] in line.text)
            parsed.set("platform", found_platform[1], line.confidence, line.index)
        line = stat_above(page, ("粉丝",))
        followers = number_of(line.text.replace("粉丝", ""), integer=True) if line is not None else None
        if followers is not None:
            parsed.set("followers", followers, line.confidence, line.index)
            parsed.set("audience_band", audience_band(followers), line.confidence, line.index)
        holder = row_value(page, ("实名主体",))
        if holder is not None and accept_name(holder.text):
            parsed.set("holder_name", accept_name(holder.text), holder.confidence, holder.index)
        status = row_value(page, ("认证状态",))
        if status is not None and ("认证" in status.text):
            parsed.set("verified", "no" if "未" in status.text else "yes", status.confidence, status.index)
        registered = row_value(page, ("注册时间", "注册日期"))
        if registered is not None and screen_date(registered.text):
            parsed.set("issue_date", screen_date(registered.text), registered.confidence, registered.index)
        return parsed
