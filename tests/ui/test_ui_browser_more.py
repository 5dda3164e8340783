"""More of the web app in a real browser: a correction uploaded while a case is in review, the console queue,
a hand-over request and the phone layout (390 x 844). Debian's chromium through Playwright."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from test_ui_browser import ANALYSIS_TIMEOUT_MS, ApplicantPage, ConsolePage, _staff_credentials

pytestmark = pytest.mark.browser
CORRECTION_ACCOUNT = "demo-rider-01"


def test_a_correction_uploaded_in_review_is_analysed_and_the_reviewer_sees_both(
        live_app, open_page, certificate_photo):
    applicant = ApplicantPage(open_page(), live_app.url)
    applicant.start(CORRECTION_ACCOUNT)
    # someone else's certificate: the name is not the account's, a colleague must look
    first = certificate_photo("demo-technician-01", "none", seed=41, total_score=561)
    applicant.attach(first)
    applicant.send()
    expect(applicant.card()).to_have_attribute("data-decision", "refer", timeout=ANALYSIS_TIMEOUT_MS)
    bot_messages = applicant.chat().locator(".message-row.bot-row")
    before = bot_messages.count()
    second = certificate_photo("demo-driver-01", "none", seed=42, total_score=561)
    applicant.attach(second)
    applicant.send()
    # analysed (not only queued): the progress box streams the steps and a new answer follows
    expect(applicant.chat().get_by_text("正在检查证书真伪").last).to_be_attached(timeout=ANALYSIS_TIMEOUT_MS)
    expect(bot_messages).not_to_have_count(before, timeout=ANALYSIS_TIMEOUT_MS)
    case_id = next(c.case_id for c in live_app.service.cases() if c.account_id == CORRECTION_ACCOUNT)
    assert len([c for c in live_app.service.cases() if c.account_id == CORRECTION_ACCOUNT]) == 1
    assert "correction_uploaded" in [e.action for e in live_app.service.audit_log(case_id)]

    console = ConsolePage(open_page(), live_app.url)
    console.sign_in(*_staff_credentials(live_app, "agent"))
    expect(console.page.locator("#cl-queue")).to_contain_text(case_id, timeout=20_000)
    console.open_case(case_id)
    verdicts = console.page.locator("#cl-verdict")
    expect(verdicts).to_contain_text(first.name, timeout=20_000)
    expect(verdicts).to_contain_text(second.name)
