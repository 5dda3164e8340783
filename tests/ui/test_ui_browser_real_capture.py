"""An honest real capture (a phone photo taken by someone else, not drawn by our generator, see
real_captures/README.md) uploaded in a real browser: the applicant gets an answer, never a tampering accusation.
The photo is a street sign, not a certificate: no permissively licensed real photo of a certificate was found."""
from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect
from test_ui_browser import ANALYSIS_TIMEOUT_MS, ApplicantPage

pytestmark = pytest.mark.browser
REAL_PHOTO = Path(__file__).resolve().parent / "real_captures" / "street-sign-photo-zh.jpg"
ACCOUNT = "demo-established-01"
ACCUSATIONS = ("篡改", "伪造", "造假", "tamper", "forged", "forgery")


def test_an_honest_real_phone_photo_is_answered_without_an_accusation(live_app, page):
    applicant = ApplicantPage(page, live_app.url)
    applicant.start(ACCOUNT)
    bot_messages = applicant.chat().locator(".message-row.bot-row")
    before = bot_messages.count()
    applicant.attach(REAL_PHOTO)
    applicant.send()
    expect(bot_messages).not_to_have_count(before, timeout=ANALYSIS_TIMEOUT_MS)
    # the progress box closes when the analysis is done; the answer follows it
    expect(applicant.chat().get_by_text("分析完成").first).to_be_attached(timeout=ANALYSIS_TIMEOUT_MS)
    expect(applicant.chat()).to_contain_text("不是我们可以用于提额的证书", timeout=ANALYSIS_TIMEOUT_MS)
    case = next(c for c in live_app.service.cases() if c.account_id == ACCOUNT)
    assert case.verdict not in ("tampered", "suspicious") and case.status != "awaiting_review"
    assert live_app.service.status(case.thread_id).decision is None  # told what we accept, nothing decided
    page_text = applicant.page.locator("body").inner_text().lower()
    assert not [word for word in ACCUSATIONS if word in page_text]
    assert applicant.card().count() == 0
