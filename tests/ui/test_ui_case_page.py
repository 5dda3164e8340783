"""The helpdesk case page masks personal data until a staff member reveals it."""
from __future__ import annotations

from credlift.agent.contracts import CaseSummary, CaseView, ChatMessage, UploadOutcome
from credlift.domain import CredentialRecord
from credlift.ui.web import case_page
from credlift.ui.web.api import staff_case_record

FIELDS = {"holder_name": "林晓雨", "id_number": "110105199912310022", "birth_date": "1999-12-31",
          "admission_number": "110101231001234", "total_score": 561}


def _view(revealed: bool) -> CaseView:
    summary = CaseSummary(case_id="case-1", thread_id="t1", account_id="demo-graduate-01", masked_name="林**",
                          status="awaiting_review")
    upload = UploadOutcome(upload_id="u1", filename="cet6.jpg", sha256="ab" * 32,
                           credential=CredentialRecord(type="cet6", fields=dict(FIELDS),
                                                       text_lines=["身份证号 110105199912310022"]))
    return CaseView(summary=summary, uploads=[upload], revealed=revealed,
                    transcript=[ChatMessage(role="user", text="my ID is 110105199912310022")],
                    applicant={"name": "林晓雨", "id_number": "110105199912310022", "current_limit": 2000})


def test_fields_profile_transcript_and_ocr_text_are_masked_until_revealed():
    view = _view(revealed=False)
    shown = {row[0]: row[1] for row in case_page.field_rows(view)}
    assert shown["holder's name"] == "林**" and shown["ID number"] == "110***********0022"
    assert shown["date of birth"] == "1999-**-**" and shown["admission ticket number"] == "110********1234"
    assert shown["total score"] == "561"
    assert case_page.applicant_record(view)["name"] == "林**"
    assert "110105199912310022" not in str(case_page.transcript_messages(view, "zh"))
    assert "110105199912310022" not in str(staff_case_record(view))


def test_a_revealed_case_shows_the_personal_data():
    view = _view(revealed=True)
    shown = {row[0]: row[1] for row in case_page.field_rows(view, "zh")}
    assert shown["持证人姓名"] == "林晓雨" and shown["身份证号"] == "110105199912310022"
    assert case_page.applicant_record(view)["id_number"] == "110105199912310022"


def test_queue_rows_speak_the_staff_members_language():
    rows = case_page.queue_rows([_view(False).summary], "zh")
    summary = _view(False).summary
    assert rows[0][:3] == ["case-1", summary.account_id, "林**"] and "待审核" in rows[0]
    assert case_page.case_choices([_view(False).summary], "en") == [("case-1 · 林** · waiting for review", "case-1")]


def test_the_chinese_console_names_fields_values_checks_and_audit_entries_in_chinese():
    from datetime import datetime, timezone

    from credlift.agent.contracts import AuditEntry
    from credlift.domain.credential import ValidationFinding, ValidationReport

    view = _view(revealed=False)
    view.uploads[0].credential.fields["level"] = "bachelor"
    view.uploads[0].credential.type = "graduation"
    view.uploads[0].validation = ValidationReport(registry_status="not_found", findings=[
        ValidationFinding(code="CET_PARTS_SUM", severity="warning", message="parts do not add up",
                          message_zh="分项成绩之和与总分不符")])
    rows = {row[0]: row[1] for row in case_page.field_rows(view, "zh")}
    assert rows["证书类型"] == "毕业证书" and rows["学历层次"].startswith("本科") and rows["总分"] == "561"
    validation = case_page.validation_markdown(view, "zh")
    assert "发证机构查无记录" in validation and "**提示**" in validation and "registry" not in validation
    entry = AuditEntry(at=datetime(2026, 12, 3, tzinfo=timezone.utc), actor="alice", action="approval_first",
                       case_id="case-1", detail="checked the original")
    assert case_page.audit_rows([entry], "zh")[0][2] == "第一次批准"
    assert case_page.audit_headers("zh") == ["时间", "操作人", "操作", "案件", "详情"]


def test_every_field_key_and_every_audit_action_has_a_label_in_both_languages():
    import re
    from pathlib import Path

    from credlift.agent import approvals
    from credlift.tools.extraction.schema import CredentialFieldsAnswer

    repo = Path(case_page.__file__).resolve().parents[2]
    written = set(re.findall(r"\.audit\([^,()]+, \"([a-z_]+)\"", "\n".join(
        p.read_text(encoding="utf-8") for folder in ("agent", "ui", "tools") for p in (repo / folder).rglob("*.py"))))
    written |= {approvals.FIRST_APPROVAL, approvals.APPROVAL_WITHDRAWN, approvals.RESOLVED}
    assert {"upload_received", "staff_reply", "reveal_personal_data"} <= written
    from credlift.prompts import load
    from credlift.ui.web.i18n import labels

    for lang in ("zh", "en"):
        missing = [f"field {key}" for key in CredentialFieldsAnswer.model_fields if key not in load("fields", lang)]
        missing += [f"audit_{action}" for action in written if f"audit_{action}" not in labels(lang)]
        assert missing == [], lang
