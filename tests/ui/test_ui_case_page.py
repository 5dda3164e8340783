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
    assert shown["holder_name"] == "林**" and shown["id_number"] == "110***********0022"
    assert shown["birth_date"] == "1999-**-**" and shown["admission_number"] == "110********1234"
    assert shown["total_score"] == "561"
    assert case_page.applicant_record(view)["name"] == "林**"
    assert "110105199912310022" not in str(case_page.transcript_messages(view, "zh"))
    assert "110105199912310022" not in str(staff_case_record(view))


def test_a_revealed_case_shows_the_personal_data():
    view = _view(revealed=True)
    shown = {row[0]: row[1] for row in case_page.field_rows(view)}
    assert shown["holder_name"] == "林晓雨" and shown["id_number"] == "110105199912310022"
    assert case_page.applicant_record(view)["id_number"] == "110105199912310022"


def test_queue_rows_speak_the_staff_members_language():
    rows = case_page.queue_rows([_view(False).summary], "zh")
    summary = _view(False).summary
    assert rows[0][:3] == ["case-1", summary.account_id, "林**"] and "待审核" in rows[0]
    assert case_page.case_choices([_view(False).summary], "en") == [("case-1 · 林** · waiting for review", "case-1")]
