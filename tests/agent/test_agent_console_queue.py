"""The helpdesk queue: who waits, for how long, how urgent and why, in the console's language; one case per
account and application however many browser sessions open it."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from credlift.agent.contracts import CaseSummary
from credlift.ui.web import case_page


def test_a_second_session_continues_the_unfinished_case(service, new_account):
    profile = new_account("demo-rider-01")
    first = service.start(profile.account_id)
    service.send(first.thread_id, "四级成绩要多少分才能提额？")
    second = service.start(profile.account_id)  # another browser, no thread id
    assert second.thread_id == first.thread_id and second.case_id == first.case_id
    assert len([c for c in service.cases() if c.account_id == profile.account_id]) == 1


def test_handed_over_cases_wait_in_the_default_queue_with_their_reason(service, new_account):
    profile = new_account("demo-rider-01")
    opened = service.start(profile.account_id)
    service.send(opened.thread_id, "我想找人工客服")
    entry = next(c for c in service.review_queue() if c.case_id == opened.case_id)
    assert entry.reason == "human" and entry.priority == "normal" and entry.account_id == profile.account_id


def test_queue_rows_say_everything_in_the_console_language():
    now = datetime(2026, 12, 3, 12, 0, tzinfo=timezone.utc)
    case = CaseSummary(case_id="case-1", thread_id="t", account_id="demo-rider-01", masked_name="王**",
                       status="awaiting_review", credential_type="cet6", verdict="tampered", decision="refer",
                       updated_at=now - timedelta(minutes=95), reason="tampered", priority="high")
    zh = case_page.queue_rows([case], "zh", now=now)[0]
    assert zh == ["case-1", "demo-rider-01", "王**", "1 小时", "高", "图片被篡改", "待审核", "大学英语六级成绩报告单", "篡改", "转人工"]
    en = case_page.queue_rows([case], "en", now=now)[0]
    assert en[3:6] == ["1 h", "high", "edited image"] and en[-2:] == ["tampered", "referred"]
    assert case_page.queue_headers("zh")[1:6] == ["账户", "申请人", "等待时间", "优先级", "原因"]
