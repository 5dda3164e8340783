"""More of the web app in a real browser: a correction uploaded while a case is in review, the console queue,
a hand-over request and the phone layout (390 x 844). Debian's chromium through Playwright."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from test_ui_browser import ANALYSIS_TIMEOUT_MS, ApplicantPage, ConsolePage, _staff_credentials

pytestmark = pytest.mark.browser
# one account per browser test: a second browser continues an account's unfinished case (one case per application)
CORRECTION_ACCOUNT = "demo-highutil-01"


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
    expect(console.page.locator("#cl-queue")).to_contain_text(case_id)
    console.open_case(case_id)
    verdicts = console.page.locator("#cl-verdict")
    expect(verdicts).to_contain_text(first.name)
    expect(verdicts).to_contain_text(second.name)


PHONE = {"width": 390, "height": 844}
PHONE_ACCOUNT = "demo-freelancer-01"
HANDOVER_ACCOUNT = "demo-technician-01"


def _box(locator) -> dict:
    box = locator.bounding_box()
    assert box is not None, "not rendered"
    return box


def test_on_a_phone_the_newest_reply_and_the_card_sit_above_the_input(
        live_app, browser, certificate_photo, screenshots):
    from readme_screenshots import publish

    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    context.set_default_timeout(180_000)
    try:
        page = context.new_page()
        applicant = ApplicantPage(page, live_app.url)
        applicant.start(PHONE_ACCOUNT)
        applicant.attach(certificate_photo(PHONE_ACCOUNT, "none", seed=5, total_score=561))
        applicant.send()
        expect(applicant.card()).to_be_visible(timeout=ANALYSIS_TIMEOUT_MS)
        expect(applicant.chat().get_by_text("分析完成").first).to_be_attached(timeout=ANALYSIS_TIMEOUT_MS)
        page.locator("#cl-message").scroll_into_view_if_needed()
        page.wait_for_timeout(300)  # let the scroll settle (bounded; layout only)
        chat, card, box = _box(page.locator("#cl-chat")), _box(applicant.card()), _box(page.locator("#cl-message"))
        newest = _box(page.locator("#cl-chat .message-row.bot-row").last)
        assert chat["y"] + chat["height"] <= card["y"] + 2, "the card is below the conversation"
        assert card["y"] + card["height"] <= box["y"] + 2, "the card is above the input"
        assert box["y"] + box["height"] <= PHONE["height"] + 1, "the input is on screen"
        assert card["y"] >= 0 and card["y"] < box["y"], "the card is on screen with the input"
        assert newest["y"] + newest["height"] > 0 and newest["y"] < card["y"], "the newest reply is on screen"
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 2  # nothing sideways
        shot = screenshots / "applicant-increase-phone.png"
        page.screenshot(path=str(shot))
        publish(shot)
    finally:
        context.close()


def test_a_hand_over_request_waits_in_the_default_queue_with_account_waiting_priority_and_reason(
        live_app, open_page, browser, screenshots):
    from readme_screenshots import publish

    applicant = ApplicantPage(open_page(), live_app.url)
    applicant.start(HANDOVER_ACCOUNT)
    applicant.send("我想找人工客服")
    expect(applicant.page.locator("#cl-notice")).to_contain_text("客服同事已加入对话")
    case_id = next(c.case_id for c in live_app.service.cases() if c.account_id == HANDOVER_ACCOUNT)

    console = ConsolePage(open_page(), live_app.url)
    console.sign_in(*_staff_credentials(live_app, "agent"))
    queue = console.page.locator("#cl-queue")
    expect(queue).to_contain_text(case_id)  # the default queue, no "all cases" needed
    header = queue.locator("thead").inner_text()
    for column in ("账户", "等待时间", "优先级", "原因"):
        assert column in header, (column, header)
    # the queue redraws itself every few seconds (waiting times change): read it as a whole
    for shown in (HANDOVER_ACCOUNT, "申请人要求人工", "分钟", "普通"):
        expect(queue).to_contain_text(shown)
    for raw in ("taken_over", "awaiting_review", "tampered"):
        expect(queue).not_to_contain_text(raw)
    shot = screenshots / "helpdesk-queue-desktop.png"
    console.page.screenshot(path=str(shot), full_page=True)
    publish(shot)

    # the console on a phone: one column, nothing wider than the screen, the actions in reach
    phone = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    phone.set_default_timeout(60_000)
    try:
        small = ConsolePage(phone.new_page(), live_app.url)
        small.sign_in(*_staff_credentials(live_app, "agent"))
        expect(small.page.locator("#cl-queue")).to_contain_text(case_id)
        small.open_case(case_id)
        assert small.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 2
        transcript, reply = _box(small.page.locator("#cl-case-transcript")), _box(small.page.locator("#cl-reply"))
        assert transcript["x"] >= 0 and transcript["x"] + transcript["width"] <= PHONE["width"] + 1
        assert reply["y"] > transcript["y"], "stacked: the reply box comes under the transcript"
        small.page.screenshot(path=str(screenshots / "helpdesk-case-phone-stacked.png"), full_page=True)
    finally:
        phone.close()
