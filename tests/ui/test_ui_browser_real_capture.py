"""An honest real capture (a phone photo taken by someone else, not drawn by our generator, see
real_captures/README.md) uploaded in a real browser: the applicant gets an answer, never a tampering accusation.
The photo is a street sign, not a certificate: no permissively licensed real photo of a certificate was found, so a
second test sends an honest generated certificate through a phone capture chain the detectors never saw."""
from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect
from test_ui_browser import ANALYSIS_TIMEOUT_MS, ApplicantPage

pytestmark = pytest.mark.browser
REAL_PHOTO = Path(__file__).resolve().parent / "real_captures" / "street-sign-photo-zh.jpg"
ACCOUNT = "demo-established-01"
CERTIFICATE_ACCOUNT = "demo-graduate-01"  # no other browser test uploads for this account
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


def phone_chain_not_trained_on(jpeg: bytes) -> bytes:
    """A hand-held re-photo as a phone does it, a chain neither the generator's captures nor its after-chains draw:
    tilted half a degree, shrunk by area averaging to 0.8, sharpened (unsharp mask) and lifted in tone as a phone's
    camera app does, saved at JPEG 91, then cropped 3/5 px off the 8x8 grid and sent on at JPEG 78."""
    import io

    import cv2
    import numpy as np

    rgb = np.asarray(Image.open(io.BytesIO(jpeg)).convert("RGB"))
    height, width = rgb.shape[:2]
    turn = cv2.getRotationMatrix2D((width / 2, height / 2), 0.5, 1.0)
    rgb = cv2.warpAffine(rgb, turn, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    rgb = cv2.resize(rgb, (int(width * 0.8), int(height * 0.8)), interpolation=cv2.INTER_AREA)
    blurred = cv2.GaussianBlur(rgb, (0, 0), 1.2)
    rgb = cv2.addWeighted(rgb, 1.6, blurred, -0.6, 0)
    rgb = np.clip(255.0 * (rgb / 255.0) ** 0.92, 0, 255).astype(np.uint8)

    def saved(pixels, quality):
        buffer = io.BytesIO()
        Image.fromarray(np.ascontiguousarray(pixels)).save(buffer, "JPEG", quality=quality)
        return buffer.getvalue()

    once = np.asarray(Image.open(io.BytesIO(saved(rgb, 91))).convert("RGB"))
    return saved(once[3:, 5:], 78)


def test_an_honest_certificate_through_an_unseen_phone_chain_gets_a_decision_not_an_accusation(
        live_app, page, tmp_path):
    """An honest CET-6 in the applicant's own name, photographed and sent on through a chain the detectors were
    never trained or calibrated on (phone_chain_not_trained_on): the applicant gets a decision card, the case is
    not called tampered and nothing on the page accuses."""
    from credlift.evals.synth import SynthSpec, render_credential

    holder = live_app.account(CERTIFICATE_ACCOUNT)
    spec = SynthSpec(type="cet6", seed=23, capture="photo", tamper="none",
                     fields={"holder_name": holder.name, "id_number": holder.id_number, "total_score": 561})
    photo = tmp_path / "cet6-phone-chain.jpg"
    photo.write_bytes(phone_chain_not_trained_on(render_credential(spec).image_bytes))
    applicant = ApplicantPage(page, live_app.url)
    applicant.start(CERTIFICATE_ACCOUNT)
    applicant.attach(photo)
    applicant.send()
    expect(applicant.chat().get_by_text("分析完成").first).to_be_attached(timeout=ANALYSIS_TIMEOUT_MS)
    expect(applicant.card()).to_be_visible(timeout=ANALYSIS_TIMEOUT_MS)
    decision = applicant.card().get_attribute("data-decision")
    case = next(c for c in live_app.service.cases() if c.account_id == CERTIFICATE_ACCOUNT)
    assert case.verdict not in ("tampered", "ai_generated"), (case.verdict, decision)
    assert decision in ("approve", "refer", "decline")
    assert live_app.service.status(case.thread_id).decision.kind == decision
    page_text = applicant.page.locator("body").inner_text().lower()
    assert not [word for word in ACCUSATIONS if word in page_text]
