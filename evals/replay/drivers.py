"""How the runner talks to credlift: in-process through the service facade, or to a running app via gradio_client."""
from __future__ import annotations

import logging
from typing import Protocol

from credlift.agent.contracts import TurnResult
from credlift.domain.applicant import ApplicantProfile


class Driver(Protocol):
    def open(self, profile: ApplicantProfile, lang: str) -> tuple[str, TurnResult]: ...
    def send(self, thread_id: str, text: str) -> TurnResult: ...
    def upload(self, thread_id: str, filename: str, data: bytes) -> TurnResult: ...
    def staff(self, thread_id: str, action: str, note: str, text: str) -> TurnResult: ...
    def fixture(self, account_id: str) -> ApplicantProfile: ...


class LogCapture(logging.Handler):
    """Keeps every log line emitted while a dialogue runs, to check that no full ID number is logged."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append(record.getMessage())
        except Exception:  # a badly formatted log call must not fail the dialogue
            self.lines.append(str(record.msg))


class InProcessDriver:
    """Runs the agent in this process through CredliftService (the default)."""

    def __init__(self, service=None, staff_user: str | None = None):
        from credlift.agent.service import CredliftService
        from credlift.settings import get_settings

        self.service = service or CredliftService()
        self.staff_user = staff_user or get_settings().staff_users.split(",")[0].split(":")[0]

    def fixture(self, account_id: str) -> ApplicantProfile:
        for profile in self.service.accounts():
            if profile.account_id == account_id:
                return profile
        from credlift.errors import UserInputError

        raise UserInputError(f"no fixture account '{account_id}'")

    def open(self, profile: ApplicantProfile, lang: str) -> tuple[str, TurnResult]:
        self.service.create_account(profile)
        greeting = self.service.start(profile.account_id, lang=lang)
        return greeting.thread_id, greeting

    def send(self, thread_id: str, text: str) -> TurnResult:
        return self.service.send(thread_id, text)

    def upload(self, thread_id: str, filename: str, data: bytes) -> TurnResult:
        return self.service.upload(thread_id, [(filename, data)])

    def staff(self, thread_id: str, action: str, note: str, text: str) -> TurnResult:
        case_id = self.service.case_for_thread(thread_id)
        if case_id is None:
            raise RuntimeError("no case exists for this conversation yet")
        if action in ("approve_review", "decline_review"):
            return self.service.resolve_review(case_id, self.staff_user, approve=action == "approve_review", note=note)
        if action == "reply":
            return self.service.staff_reply(case_id, self.staff_user, text or note)
        if action == "take_over":
            return self.service.take_over(case_id, self.staff_user)
        return self.service.hand_back(case_id, self.staff_user)
