"""The applicant's chat is the service transcript plus page-only extras, each kept where it appeared."""
from __future__ import annotations

from credlift.agent.contracts import ChatMessage
from credlift.ui.web.chat import ApplicantSession, notice_message, photo_message, progress_message, render_chat


def test_extras_stay_after_the_transcript_messages_that_came_before_them():
    transcript = [ChatMessage(role="assistant", text="Hello"), ChatMessage(role="user", text="(uploaded cet6.jpg)"),
                  ChatMessage(role="assistant", text="Your limit rises by ¥1,500")]
    session = ApplicantSession(thread_id="t1", seen=1)
    session.pin(photo_message("/tmp/cet6.jpg"))
    box = session.pin(progress_message([], "en", done=False))
    box.update(progress_message(["Checking authenticity"], "en", done=True))
    session.seen = 3
    session.pin(notice_message("huge.jpg is 60 MB; the limit is 20 MB."))
    shown = render_chat(transcript, session, "en")
    assert [m["role"] for m in shown] == ["assistant", "user", "assistant", "user", "assistant", "assistant"]
    assert shown[1]["content"] == {"path": "/tmp/cet6.jpg"}
    assert shown[2]["metadata"] == {"title": "Analysis finished", "status": "done"}
    assert "Checking authenticity" in shown[2]["content"]
    assert shown[-1]["content"] == "**huge.jpg is 60 MB; the limit is 20 MB.**"


def test_staff_messages_are_signed_and_id_numbers_are_masked():
    transcript = [ChatMessage(role="staff", text="Your ID 110105199912310022 is on file", author="helpdesk")]
    shown = render_chat(transcript, ApplicantSession(thread_id="t1"), "zh")
    assert shown[0]["role"] == "assistant" and shown[0]["content"].startswith("**客服（helpdesk）**")
    assert "110105199912310022" not in shown[0]["content"] and "110***********0022" in shown[0]["content"]
