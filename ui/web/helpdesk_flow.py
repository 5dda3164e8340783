"""The helpdesk's side of the service, shared by the console and the API: every call checks the staff session.

The service writes each staff action (reveal, resolve, reply, take over, hand back) to the audit log.
"""
from __future__ import annotations

from credlift.agent.contracts import AuditEntry, CaseSummary, CaseView, TurnResult
from credlift.ui.web.auth import StaffSession, StaffSessions


class StaffDenied(Exception):
    """Not signed in, or the role lacks the permission; `key` names the UI label, `values` fill it."""

    def __init__(self, key: str, **values: object):
        super().__init__(key)
        self.key = key
        self.values = values


class HelpdeskFlow:
    def __init__(self, service, sessions: StaffSessions):
        self.service = service
        self.sessions = sessions

    def sign_in(self, user: str, password: str, address: str = "") -> StaffSession:
        return self.sessions.sign_in(user, password, address)

    def sign_out(self, token: str | None) -> None:
        self.sessions.sign_out(token)

    def require(self, token: str | None, permission: str) -> StaffSession:
        session = self.sessions.get(token)
        if session is None:
            raise StaffDenied("not_signed_in")
        if not session.may(permission):
            raise StaffDenied("not_allowed", role=session.role)
        return session

    def queue(self, token: str | None, all_cases: bool = False) -> list[CaseSummary]:
        self.require(token, "view")
        return self.service.cases() if all_cases else self.service.review_queue()

    def case(self, token: str | None, case_id: str, reveal: bool = False) -> CaseView:
        session = self.require(token, "reveal" if reveal else "view")
        return self.service.case_view(case_id, session.user, reveal=reveal)

    def resolve(self, token: str | None, case_id: str, approve: bool, note: str = "") -> TurnResult:
        session = self.require(token, "resolve_review")
        return self.service.resolve_review(case_id, session.user, approve=approve, note=note.strip())

    def reply(self, token: str | None, case_id: str, text: str) -> None:
        session = self.require(token, "reply")
        self.service.staff_reply(case_id, session.user, text.strip())

    def take_over(self, token: str | None, case_id: str) -> None:
        session = self.require(token, "take_over")
        self.service.take_over(case_id, session.user)

    def hand_back(self, token: str | None, case_id: str) -> None:
        session = self.require(token, "take_over")
        self.service.hand_back(case_id, session.user)

    def audit(self, token: str | None, case_id: str | None) -> list[AuditEntry]:
        session = self.require(token, "view")
        if case_id is None and not session.may("audit_all"):
            raise StaffDenied("not_allowed", role=session.role)
        return self.service.audit_log(case_id=case_id)
