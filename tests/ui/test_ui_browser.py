"""The web app in a real browser (Debian's chromium through Playwright): applicant chat, review, helpdesk console."""
from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Page, expect
from readme_screenshots import publish

pytestmark = pytest.mark.browser
APPLICANT_ACCOUNT = "demo-graduate-03"
REVIEW_ACCOUNT = "demo-graduate-02"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
ANALYSIS_TIMEOUT_MS = 600_000  # safety bounds, not speed tests: the suite must pass on a busy machine
WAIT_MS = 180_000


class ApplicantPage:
    def __init__(self, page: Page, url: str):
        self.page = page
        page.goto(url, timeout=WAIT_MS)
        expect(page.locator("#cl-start")).to_be_visible()

    def choose_language(self, label: str) -> None:
        self.page.locator("#cl-language").get_by_text(label, exact=True).click()

    def start(self, account_id: str, from_picker: bool = False) -> None:
        if from_picker:  # the demo-account picker shows masked names with the id
            self.page.locator("#cl-account input").click()
            self.page.locator("#cl-account input").fill(account_id)
            self.page.get_by_role("option").filter(has_text=account_id).first.click()
            # read before starting: the account picker is hidden once the conversation starts
            self.picker_text = self.page.locator("#cl-account").inner_text()
        else:
            self.page.locator("#cl-account-id input").fill(account_id)
        self.page.locator("#cl-start").click()
        expect(self.page.locator("#cl-chat .message").first).to_be_visible()

    def attach(self, *paths: Path) -> None:
        self.page.locator("#cl-message input[type=file]").set_input_files([str(p) for p in paths])
        # the file chips appear once the browser has sent the files to the server
        expect(self.page.locator("#cl-message .thumbnail-item, #cl-message .thumbnail-image").first).to_be_attached(
            timeout=WAIT_MS)

    def send(self, text: str = "") -> None:
        box = self.page.locator("#cl-message textarea")
        if text:
            box.fill(text)
        box.press("Enter")

    def chat(self):
        return self.page.locator("#cl-chat")

    def card(self):
        return self.page.locator("#cl-result-card .cl-card")


class ConsolePage:
    def __init__(self, page: Page, url: str):
        self.page = page
        page.goto(url, timeout=WAIT_MS)
        page.locator("#cl-tabs").get_by_role("tab", name="客服后台").click()
        expect(page.locator("#cl-staff-sign-in")).to_be_visible()

    def sign_in(self, user: str, password: str) -> None:
        self.page.locator("#cl-staff-user input").fill(user)
        self.page.locator("#cl-staff-password input").fill(password)
        self.page.locator("#cl-staff-sign-in").click()

    def open_case(self, case_id: str) -> None:
        dropdown = self.page.locator("#cl-case input")
        dropdown.click()
        dropdown.fill(case_id)
        self.page.get_by_role("option").filter(has_text=case_id).first.click()
        expect(self.page.locator("#cl-case-transcript .message").first).to_be_visible()


def _staff_credentials(live_app, role: str) -> tuple[str, str]:
    for entry in live_app.settings.staff_users.split(","):
        user, password, entry_role = entry.split(":")
        if entry_role == role:
            return user, password
    raise AssertionError(f"no {role} in settings.staff_users")


def applicant_thread(live_app, case_id: str) -> str:
    return next(c.thread_id for c in live_app.service.cases() if c.case_id == case_id)


def test_an_applicant_uploads_a_cet6_photo_and_sees_the_increase(live_app, page, certificate_photo, screenshots):
    applicant = ApplicantPage(page, live_app.url)
    applicant.start(APPLICANT_ACCOUNT, from_picker=True)
    assert APPLICANT_ACCOUNT in applicant.picker_text
    assert live_app.account(APPLICANT_ACCOUNT).name not in applicant.picker_text
    applicant.attach(certificate_photo(APPLICANT_ACCOUNT, "none", seed=1, total_score=561))
    applicant.send()
    # progress streams into the chat while the photo is analysed, then the box closes
    expect(applicant.chat().get_by_text("正在分析您的证件").first).to_be_attached(timeout=WAIT_MS)
    expect(applicant.chat().get_by_text("分析完成").first).to_be_attached(timeout=ANALYSIS_TIMEOUT_MS)
    expect(applicant.card()).to_be_visible(timeout=ANALYSIS_TIMEOUT_MS)
    assert applicant.card().get_attribute("data-decision") == "approve"
    card_text = applicant.card().inner_text()
    current = live_app.account(APPLICANT_ACCOUNT).current_limit
    assert "额度已提升" in card_text and f"¥{current:,}" in card_text and "+¥" in card_text
    assert "大学英语六级（CET-6）成绩报告单的提额标准" in card_text and "INC-CET6" not in card_text  # titles, not codes
    for internal in ("copy_move", "ela", "heatmap", "verdict", "篡改概率"):
        assert internal not in page.locator("body").inner_text()
    page.screenshot(path=str(screenshots / "applicant-increase-desktop.png"), full_page=True)
    page.set_viewport_size(PHONE)
    applicant.card().scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / "applicant-increase-phone.png"))
    page.set_viewport_size(DESKTOP)


def test_a_tampered_photo_goes_to_review_and_a_staff_approval_reaches_the_applicant(
        live_app, open_page, certificate_photo, screenshots):
    applicant = ApplicantPage(open_page(), live_app.url)
    console = ConsolePage(open_page(), live_app.url)
    user, password = _staff_credentials(live_app, "agent")
    console.sign_in(user, password)  # before the upload: the queue must pick the new case up by itself
    expect(console.page.locator("#cl-signed-in")).to_contain_text(user)
    applicant.choose_language("English")
    applicant.start(REVIEW_ACCOUNT)
    applicant.attach(certificate_photo(REVIEW_ACCOUNT, "copy_move", seed=13))  # a clone the shipped detector (fusion-6) flags
    applicant.send()
    expect(applicant.card()).to_be_visible(timeout=ANALYSIS_TIMEOUT_MS)
    assert applicant.card().get_attribute("data-decision") == "refer"
    expect(applicant.page.locator("#cl-notice")).to_contain_text("A specialist is checking your document")
    case_id = next(c.case_id for c in live_app.service.review_queue() if c.account_id == REVIEW_ACCOUNT)

    expect(console.page.locator("#cl-queue")).to_contain_text(case_id, timeout=WAIT_MS)
    console.open_case(case_id)
    expect(console.page.locator("#cl-overlay img")).to_be_visible()
    expect(console.page.locator("#cl-signals")).to_contain_text("复制粘贴检测")  # signal names in the console language
    name = live_app.account(REVIEW_ACCOUNT).name
    assert name not in console.page.locator("#cl-fields").inner_text()  # masked until revealed
    console.page.locator("#cl-reply textarea").fill("We are checking your score report with the CET office.")
    console.page.locator("#cl-send-reply").click()
    expect(console.page.locator("#cl-action-message")).to_contain_text("回复已发送")
    expect(applicant.chat()).to_contain_text("We are checking your score report with the CET office.",
                                             timeout=WAIT_MS)  # the applicant's page picks it up by itself
    expect(applicant.chat()).to_contain_text(f"Helpdesk ({user})")
    # four-eyes: a tampered certificate needs a written reason and a second staff member
    expect(console.page.locator("#cl-four-eyes")).to_contain_text("需要两人审批")
    expect(console.page.locator("#cl-four-eyes")).to_contain_text("图片被篡改")
    console.page.locator("#cl-approve").click()
    expect(console.page.locator("#cl-action-message")).to_contain_text("需要写明理由", timeout=WAIT_MS)
    console.page.locator("#cl-note textarea").fill("Score checked with the CET office")
    console.page.screenshot(path=str(screenshots / "helpdesk-case-desktop.png"), full_page=True)
    publish(screenshots / "helpdesk-case-desktop.png")
    console.page.locator("#cl-approve").click()
    expect(console.page.locator("#cl-action-message")).to_contain_text("已记录第一次通过", timeout=WAIT_MS)
    expect(console.page.locator("#cl-four-eyes")).to_contain_text(f"{user} 已第一次通过")
    assert live_app.service.status(applicant_thread(live_app, case_id)).decision.kind == "refer"
    console.page.locator("#cl-note textarea").fill("Again")
    console.page.locator("#cl-approve").click()  # the same person cannot give the second approval
    expect(console.page.locator("#cl-action-message")).to_contain_text("需要另一位同事", timeout=WAIT_MS)
    second = ConsolePage(open_page(), live_app.url)
    second.sign_in(*_staff_credentials(live_app, "supervisor"))
    expect(second.page.locator("#cl-queue")).to_contain_text(case_id, timeout=WAIT_MS)
    second.open_case(case_id)
    expect(second.page.locator("#cl-four-eyes")).to_contain_text(f"{user} 已第一次通过")
    second.page.locator("#cl-note textarea").fill("Second check: the score matches the CET office")
    second.page.locator("#cl-approve").click()
    expect(second.page.locator("#cl-action-message")).to_contain_text("审核已完成", timeout=WAIT_MS)
    # decided: read-only in every console that opens it
    expect(second.page.locator("#cl-approve")).to_be_disabled()
    expect(second.page.locator("#cl-decline")).to_be_disabled()
    console.page.locator("#cl-refresh").click()  # the first console re-reads the case it has open
    expect(console.page.locator("#cl-approve")).to_be_disabled(timeout=WAIT_MS)
    expect(console.page.locator("#cl-four-eyes")).to_contain_text("只读")

    thread_id = next(c.thread_id for c in live_app.service.cases() if c.case_id == case_id)
    outcome = live_app.service.status(thread_id).decision.kind
    assert outcome in ("approve", "decline")  # cleared by staff, then decided on what the certificate says
    expect(applicant.card()).to_have_attribute("data-decision", outcome, timeout=WAIT_MS)
    expect(applicant.page.locator("#cl-notice")).not_to_contain_text("specialist")
    from credlift.agent.wording import applicant_text

    resolution = live_app.service.transcript(thread_id)[-1].text.splitlines()[0]
    expect(applicant.chat()).to_contain_text(applicant_text(resolution, "en"))  # as the applicant reads it
    applicant.page.screenshot(path=str(screenshots / "applicant-after-review-desktop.png"), full_page=True)
    applicant.page.set_viewport_size(PHONE)
    applicant.card().scroll_into_view_if_needed()
    applicant.page.screenshot(path=str(screenshots / "applicant-after-review-phone.png"))
    actions = [(entry.actor, entry.action) for entry in live_app.service.audit_log(case_id)]
    supervisor = _staff_credentials(live_app, "supervisor")[0]
    assert (user, "approval_first") in actions and (supervisor, "review_resolved") in actions
    assert (user, "review_refused") in actions and (user, "case_viewed") in actions

    console.page.set_viewport_size(PHONE)
    console.page.screenshot(path=str(screenshots / "helpdesk-case-phone.png"), full_page=True)
    console.page.set_viewport_size(DESKTOP)
    console.page.locator("#cl-reveal").click()
    expect(console.page.locator("#cl-fields")).to_contain_text(name)
    assert "reveal_personal_data" in [entry.action for entry in live_app.service.audit_log(case_id)]


def test_a_wrong_staff_password_is_refused(live_app, page, screenshots):
    outside = []
    page.on("request", lambda request: outside.append(request.url)
            if not request.url.startswith((live_app.url, "data:", "blob:")) else None)
    console = ConsolePage(page, live_app.url)
    user, _ = _staff_credentials(live_app, "agent")
    console.sign_in(user, "not-the-password")
    expect(page.locator("#cl-staff-login-message")).to_contain_text("用户名或密码错误")
    expect(page.locator("#cl-console")).to_be_hidden()
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(screenshots / "helpdesk-sign-in-refused-phone.png"))
    assert outside == []  # the page works with no network: no fonts, scripts or analytics from elsewhere
    assert "staff_login_failed" in [entry.action for entry in live_app.service.audit_log()]


def test_oversized_disguised_and_too_many_files_get_a_clear_message_and_the_app_stays_up(
        live_app, page, tmp_path, screenshots):
    huge = tmp_path / "huge-photo.jpg"
    with huge.open("wb") as handle:
        handle.write(b"\xff\xd8\xff\xe0" + b"\x00" * (60 * 1024 * 1024))
    disguised = tmp_path / "certificate.jpg"
    disguised.write_bytes(b"MZ\x90\x00" + bytes(range(256)) * 64)
    many = [tmp_path / f"photo-{i}.jpg" for i in range(10)]
    for photo in many:
        Image.new("RGB", (32, 32), "white").save(photo, format="JPEG")

    applicant = ApplicantPage(page, live_app.url)
    applicant.choose_language("English")
    applicant.start(APPLICANT_ACCOUNT)
    applicant.attach(huge)
    applicant.send()
    expect(applicant.chat()).to_contain_text("huge-photo.jpg is 60 MB; the limit is 20 MB", timeout=WAIT_MS)
    applicant.attach(disguised)
    applicant.send()
    expect(applicant.chat()).to_contain_text("certificate.jpg is not a photo we can read", timeout=WAIT_MS)
    applicant.attach(*many)
    applicant.send()
    expect(applicant.chat()).to_contain_text("Please send at most 3 files in one message (you sent 10)",
                                             timeout=WAIT_MS)
    page.screenshot(path=str(screenshots / "applicant-upload-refused-desktop.png"), full_page=True)
    bot_messages = applicant.chat().locator(".message-row.bot-row")
    before = bot_messages.count()
    applicant.send("What can I upload?")
    expect(bot_messages).to_have_count(before + 1, timeout=WAIT_MS)
    expect(bot_messages.last).to_contain_text("certificate")
    # nothing is lost on a reload: this browser's conversation comes back, in its language
    page.reload()
    expect(applicant.chat()).to_contain_text("What can I upload?", timeout=WAIT_MS)
    expect(page.locator("#cl-who")).to_contain_text(APPLICANT_ACCOUNT)
    expect(page.locator("#cl-switch")).to_have_text("Switch account")
    page.locator("#cl-chat .icon-button-wrapper button").first.click()  # the trash: only the view empties
    expect(applicant.chat()).to_contain_text("What can I upload?", timeout=WAIT_MS)
