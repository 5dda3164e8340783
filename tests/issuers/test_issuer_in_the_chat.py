"""Verification at the issuer in the chat app, with the local simulator: verified -> "verified with the issuer";
issuer down (503) or stopped -> review, never decline; a number the issuer does not know -> a person checks.
PDF uploads go the same way; a broken or password-protected PDF is a sentence and nothing is stored."""
from __future__ import annotations

import pytest

from credlift.evals.replay.runner import account_fields
from credlift.evals.synth import SynthSpec, render_credential
from credlift.tools.registry import entry_from_label
from pdf_files import damaged_pdf, encrypted_pdf, pdf_of_image


def cet6_scan(profile, seed: int):
    fields = {**account_fields("cet6", profile), "exam_session": "2024-06", "total_score": 561}
    return render_credential(SynthSpec(type="cet6", seed=seed, capture="scan", fields=fields))


def stored_files(service) -> list:
    uploads = service.settings.data_dir / "uploads"
    return sorted(uploads.rglob("*.*")) if uploads.exists() else []


def upload(service, profile, name: str, data: bytes, lang: str = "en"):
    thread_id = service.start(profile.account_id, lang=lang).thread_id
    return thread_id, service.upload(thread_id, [(name, data)])


def test_a_credential_the_issuer_confirms_is_approved_as_verified_with_the_issuer(chat_service, fresh_account,
                                                                                  issuer_simulator):
    profile = fresh_account()
    sample = cet6_scan(profile, seed=101)
    issuer_simulator.books.add_entry(entry_from_label(sample.label))
    _, result = upload(chat_service, profile, "cet6.png", sample.image_bytes, lang="zh")
    assert issuer_simulator.calls["cet"] == 1
    assert result.decision.kind == "approve" and result.decision.increase > 0
    assert "DOC_ISSUER_VERIFIED" in [r.code for r in result.decision.reason_codes]
    assert "已向发证机构核验" in "\n".join(result.replies)


def test_an_issuer_that_is_down_means_review_never_decline(chat_service, fresh_account, issuer_simulator):
    """503 to every question. An issuer that is stopped (nothing listens) gives the pipeline the same "unavailable"
    check (test_issuer_adapters::test_a_stopped_issuer_is_unavailable), so one upload covers both here."""
    profile = fresh_account()
    sample = cet6_scan(profile, seed=102)
    issuer_simulator.books.add_entry(entry_from_label(sample.label))
    issuer_simulator.state = "down"
    _, result = upload(chat_service, profile, "cet6.png", sample.image_bytes)
    assert result.decision.kind == "refer" and result.decision.increase == 0
    assert "DOC_ISSUER_UNAVAILABLE" in [r.code for r in result.decision.reason_codes]
    assert result.awaiting == "review"
    assert issuer_simulator.calls["cet"] == 2  # the configured two attempts, then review


def test_a_number_the_issuer_does_not_know_goes_to_a_person(chat_service, fresh_account, issuer_simulator):
    profile = fresh_account()
    _, result = upload(chat_service, profile, "cet6.png", cet6_scan(profile, seed=103).image_bytes)
    assert result.decision.kind == "refer" and "DOC_REGISTRY_NOT_FOUND" in [r.code for r in result.decision.reason_codes]


def test_a_pdf_upload_is_read_from_its_first_page_and_kept_as_sent(chat_service, fresh_account, issuer_simulator):
    from credlift.tools.intake import load_upload

    profile = fresh_account()
    sample = cet6_scan(profile, seed=104)
    issuer_simulator.books.add_entry(entry_from_label(sample.label))
    pdf = pdf_of_image(load_upload(sample.image_bytes).rgb)
    _, result = upload(chat_service, profile, "cet6-report.pdf", pdf)
    assert result.nodes_run[:4] == ["intake", "extract", "authenticate", "validate"]
    assert result.decision.kind == "approve", [r.code for r in result.decision.reason_codes]
    assert any(path.suffix == ".pdf" and load_upload(path).original_bytes == pdf  # sealed at rest, opened as sent
               for path in stored_files(chat_service))


@pytest.mark.parametrize("lang, data, words", [
    ("en", damaged_pdf(), "damaged or incomplete"), ("zh", damaged_pdf(), "文件损坏或不完整"),
    ("en", encrypted_pdf(), "password-protected"), ("zh", encrypted_pdf(), "设有密码"),
])
def test_a_broken_or_locked_pdf_is_a_sentence_and_nothing_is_stored(chat_service, fresh_account, lang, data, words):
    profile = fresh_account()
    before = stored_files(chat_service)
    thread_id, result = upload(chat_service, profile, "report.pdf", data, lang=lang)
    assert words in "\n".join(result.replies) and result.decision is None
    assert stored_files(chat_service) == before
    # the conversation goes on: nothing of it was lost
    again = chat_service.send(thread_id, "hello" if lang == "en" else "你好")
    assert again.replies and len(chat_service.transcript(thread_id)) >= 3


def test_a_chsi_report_pdf_is_verified_by_its_code(chat_service, fresh_account, issuer_simulator):
    from credlift.tools.intake import load_upload

    profile = fresh_account("demo-freelancer-01")
    fields = {**account_fields("graduation", profile), "verification_code": "Q8MZ4KXD2WRT7PJA", "level": "bachelor",
              "study_end": "2024-06", "issue_date": "2024-06-27"}
    sample = render_credential(SynthSpec(type="graduation", seed=106, capture="scan", fields=fields))
    issuer_simulator.books.add_entry(entry_from_label(sample.label))
    pdf = pdf_of_image(load_upload(sample.image_bytes).rgb)
    _, result = upload(chat_service, profile, "学信网在线验证报告.pdf", pdf, lang="zh")
    assert issuer_simulator.calls == {"chsi": 1}
    assert result.decision.kind == "approve", [r.code for r in result.decision.reason_codes]
    assert "已向发证机构核验" in "\n".join(result.replies)
