"""The agent offers two facades over one core: the applicant's (chat, uploads) and the helpdesk's (staff). Each side
of the web app gets the one it needs; CredliftService (CLI, eval runner, bench) answers both."""
from __future__ import annotations

from credlift.agent.applicant import ApplicantService
from credlift.agent.core import AgentCore
from credlift.agent.helpdesk import HelpdeskService

APPLICANT = {"accounts", "create_account", "start", "send", "upload", "set_language", "transcript", "status",
             "case_for_thread", "account_of"}
HELPDESK = {"authenticate_staff", "review_queue", "cases", "case_for_thread", "case_view", "four_eyes",
            "resolve_review", "staff_reply", "take_over", "hand_back", "audit_log"}


def _public(cls) -> set[str]:
    return {name for name in vars(cls) if not name.startswith("_") and callable(getattr(cls, name))}


def test_each_facade_offers_its_side_only():
    assert _public(ApplicantService) == APPLICANT
    assert _public(HelpdeskService) == HELPDESK


def test_one_core_behind_both_facades_and_the_whole_service(service):
    assert service.applicant._core is service and service.helpdesk._core is service
    core_calls = {"set_language", "transcript", "status"}  # the core's own, which the applicant facade passes on
    for name in APPLICANT - core_calls - {"case_for_thread"}:
        assert getattr(service, name).__func__ is getattr(ApplicantService, name)
    for name in HELPDESK - {"case_for_thread"}:  # both facades offer it (same answer)
        assert getattr(service, name).__func__ is getattr(HelpdeskService, name)
    for name in core_calls:
        assert getattr(service, name).__func__ is getattr(AgentCore, name)
    turn = service.applicant.start("demo-graduate-01", lang="en")
    assert service.applicant.account_of(turn.thread_id) == "demo-graduate-01"
    assert service.applicant.account_of("no-such-thread") is None
    case_id = service.applicant.case_for_thread(turn.thread_id)
    assert case_id and service.helpdesk.case_view(case_id, "staff-a").summary.account_id == "demo-graduate-01"
