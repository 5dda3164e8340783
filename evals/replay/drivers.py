"""How the runner talks to credlift: in-process through the service facade, or to a running app via gradio_client."""
from __future__ import annotations

import logging
import os
from pathlib import Path
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
    """Runs the agent in this process through CredliftService (the default).

    In-process, the runner can read the CPU time each turn costs (`in_process`).

    With `data_root`, every trial runs on its own fresh data directory `data_root/trial-K` (its own accounts,
    cases and upload fingerprints), so replays never disturb the app's data or each other.
    """

    in_process = True

    def __init__(self, service=None, staff_user: str | None = None, data_root: Path | None = None):
        from credlift.settings import get_settings

        self.data_root = Path(data_root) if data_root is not None else None
        self._previous_data_dir = os.environ.get("CREDLIFT_DATA_DIR")
        self.service = service
        if self.service is None and self.data_root is None:
            from credlift.agent.service import CredliftService

            self.service = CredliftService()
        self.staff_user = staff_user or get_settings().staff_users.split(",")[0].split(":")[0]
        self.staff_users = [self.staff_user] + [entry.split(":")[0] for entry in get_settings().staff_users.split(",")
                                                if entry and entry.split(":")[0] != self.staff_user]
        self._approvals: dict[str, int] = {}

    def begin_trial(self, trial: int) -> None:
        if self.data_root is None:
            return
        from credlift.agent.service import CredliftService
        from credlift.settings import reset_settings_cache

        # tools that read settings themselves (upload fingerprints, trained models) must see the same folder
        os.environ["CREDLIFT_DATA_DIR"] = str(self.data_root / f"trial-{trial + 1}")
        reset_settings_cache()
        self.service = CredliftService()

    def close(self) -> None:
        if self.data_root is None:
            return
        from credlift.settings import reset_settings_cache

        if self._previous_data_dir is None:
            os.environ.pop("CREDLIFT_DATA_DIR", None)
        else:
            os.environ["CREDLIFT_DATA_DIR"] = self._previous_data_dir
        reset_settings_cache()

    def use_issuer(self, base_url: str | None) -> None:
        """Verification at the issuers at `base_url` (the runner's simulator); None: the app's own settings."""
        from credlift.tools.issuers import registry_for

        services = self.service.services
        previous = services.registry
        services.use_registry(registry_for(services.settings, base_url=base_url))
        if previous is not None and hasattr(previous, "close"):
            previous.close()

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

    def audit_entries(self, thread_id: str) -> list:
        """The audit trail of the conversation's case (what the models did: evals/replay/model_use.py)."""
        case_id = self.service.case_for_thread(thread_id)
        return self.service.audit_log(case_id) if case_id else []

    def upload(self, thread_id: str, filename: str, data: bytes) -> TurnResult:
        return self.service.upload(thread_id, [(filename, data)])

    def staff(self, thread_id: str, action: str, note: str, text: str) -> TurnResult:
        case_id = self.service.case_for_thread(thread_id)
        if case_id is None:
            raise RuntimeError("no case exists for this conversation yet")
        if action == "approve_review":  # the n-th approval of a case is given by the n-th staff member (four-eyes)
            count = self._approvals.get(case_id, 0)
            self._approvals[case_id] = count + 1
            approver = self.staff_users[count % len(self.staff_users)]
            return self.service.resolve_review(case_id, approver, approve=True, note=note)
        if action == "decline_review":
            return self.service.resolve_review(case_id, self.staff_user, approve=False, note=note)
        if action == "reply":
            return self.service.staff_reply(case_id, self.staff_user, text or note)
        if action == "take_over":
            return self.service.take_over(case_id, self.staff_user)
        return self.service.hand_back(case_id, self.staff_user)
