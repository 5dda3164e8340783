"""Four-eyes on risky approvals: a written reason and a second staff member; decided cases are read-only.

Risky: decisive evidence (tampered, AI-made, name or holder mismatch, reuse) or an increase above
settings.four_eyes_increase_above. Every staff action, refusals included, is in the audit log.
"""
from __future__ import annotations

import pytest

from credlift.agent import approvals
from credlift.agent.contracts import AuditEntry
from credlift.domain import LimitDecision, ReasonCode


def _referral(*codes: str) -> LimitDecision:
    return LimitDecision(kind="refer", current_limit=2000, new_limit=2000, increase=0, policy_version="t",
                         reason_codes=[ReasonCode(code=c, text_zh=c, text_en=c) for c in codes])


def test_decisive_evidence_and_large_increases_need_two_people():
    assert approvals.risky_reasons(_referral("DOC_TAMPERED"), [], 500, 3000) == ["tampered"]
    assert approvals.risky_reasons(_referral("DOC_NAME_MISMATCH", "DOC_HOLDER_MISMATCH"), [], 500, 3000) \
        == ["name_mismatch"]
    assert approvals.risky_reasons(_referral("DOC_SUSPICIOUS"), ["reuse", "ela"], 500, 3000) == ["reuse"]
    assert approvals.risky_reasons(_referral("DOC_SUSPICIOUS"), ["ela"], 3100, 3000) == ["amount"]
    # a suspicious photo with a modest increase: one person may clear it
    assert approvals.risky_reasons(_referral("DOC_SUSPICIOUS", "DOC_REGISTRY_NOT_FOUND"), ["ela"], 3000, 3000) == []


def test_a_first_approval_stands_until_the_case_is_resolved_or_changes():
    from datetime import datetime, timezone

    def entry(action: str, actor: str = "helpdesk", detail: str = "") -> AuditEntry:
        return AuditEntry(at=datetime.now(timezone.utc), actor=actor, action=action, case_id="c", detail=detail)

    first = entry(approvals.FIRST_APPROVAL, detail="reasons=tampered | 原件已核实")
    assert approvals.pending_first_approval([entry("case_viewed"), first]) == first
    assert approvals.reason_of(first) == "原件已核实"
    assert approvals.pending_first_approval([first, entry(approvals.APPROVAL_WITHDRAWN)]) is None
    assert approvals.pending_first_approval([first, entry(approvals.RESOLVED)]) is None


def test_the_threshold_is_a_setting(monkeypatch):
    from credlift.settings import Settings

    monkeypatch.setenv("CREDLIFT_FOUR_EYES_INCREASE_ABOVE", "1500")
    assert Settings().four_eyes_increase_above == 1500


@pytest.fixture()
def tampered_case(service, new_account, certificate):
    profile = new_account("demo-graduate-03")
    thread_id = service.start(profile.account_id).thread_id
    # seed picked so the shipped detector (fusion-6) says `tampered` (the editor named in the file beside the
    # clone's traces); most clones of this kind it calls `suspicious`, which one person may clear
    referred = service.upload(thread_id, [("cet6.jpg", certificate(profile.name, tamper="copy_move", seed=22,
                                                                  total_score=561))])
    return profile, thread_id, referred, service.case_for_thread(thread_id)


def test_a_risky_approval_needs_a_reason_and_a_second_person(service, tampered_case):
    profile, thread_id, referred, case_id = tampered_case
    assert referred.awaiting == "review", "the tampered certificate was not referred"
    view = service.case_view(case_id, "helpdesk")
    assert view.four_eyes.required and view.four_eyes.first_approver == ""
    with pytest.raises(approvals.ReviewRefused) as no_reason:
        service.resolve_review(case_id, "helpdesk", approve=True, note="")
    assert no_reason.value.key == "reason_required"
    first = service.resolve_review(case_id, "helpdesk", approve=True, note="原件已与学校核实")
    assert first.second_approval_needed and first.awaiting == "review" and first.decision.kind == "refer"
    assert service.services.accounts.get(profile.account_id).current_limit == profile.current_limit
    assert case_id in [c.case_id for c in service.review_queue()]
    assert service.case_view(case_id, "lead").four_eyes.first_approver == "helpdesk"
    with pytest.raises(approvals.ReviewRefused) as same_person:
        service.resolve_review(case_id, "helpdesk", approve=True, note="再次确认")
    assert same_person.value.key == "second_person_required"
    second = service.resolve_review(case_id, "lead", approve=True, note="复核同意")
    assert second.decision.kind == "approve" and second.awaiting == "user"
    assert service.services.accounts.get(profile.account_id).current_limit == second.decision.new_limit
    actions = [(e.actor, e.action) for e in service.audit_log(case_id)]
    assert ("helpdesk", "approval_first") in actions and ("lead", "review_resolved") in actions
    assert actions.count(("helpdesk", "review_refused")) == 2
    resolved = next(e for e in service.audit_log(case_id) if e.action == "review_resolved")
    assert "helpdesk: 原件已与学校核实" in resolved.detail and "lead: 复核同意" in resolved.detail
    # decided: read-only
    with pytest.raises(approvals.ReviewRefused) as decided:
        service.resolve_review(case_id, "lead", approve=False, note="改主意")
    assert decided.value.key == "case_not_in_review"
    assert service.services.accounts.get(profile.account_id).current_limit == second.decision.new_limit


def test_declining_a_risky_case_needs_one_person(service, tampered_case):
    profile, thread_id, referred, case_id = tampered_case
    declined = service.resolve_review(case_id, "helpdesk", approve=False, note="")
    assert declined.decision.kind == "decline" and declined.awaiting == "user"
    assert service.services.accounts.get(profile.account_id).current_limit == profile.current_limit
