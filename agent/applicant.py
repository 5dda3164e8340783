"""The applicant's facade: accounts, opening or continuing a conversation, messages, uploads, language, the
transcript and the turn's status. The web app's chat page and applicant API use this (ui/web/applicant_flow.py)."""
from __future__ import annotations

import uuid

from langgraph.types import Overwrite

from credlift.agent import approvals
from credlift.agent.contracts import ChatMessage, TurnResult
from credlift.agent.core import AgentCore, ProgressCallback, _now
from credlift.agent.state import Incoming
from credlift.agent.uploads import stage_upload
from credlift.domain import ApplicantProfile
from credlift.errors import UserInputError
from credlift.prompts import reply as template


class ApplicantService:
    def __init__(self, core: AgentCore):
        self._core = core
        self.settings = core.settings
        self.services = core.services

    def accounts(self) -> list[ApplicantProfile]:
        return self.services.accounts.list()

    def create_account(self, profile: ApplicantProfile) -> ApplicantProfile:
        return self.services.accounts.save(profile)

    def start(self, account_id: str, lang: str = "zh", thread_id: str | None = None) -> TurnResult:
        """Opens a conversation (greeting), or continues an existing thread after a restart."""
        with self._core._outage(thread_id, lang if lang in ("zh", "en") else None):
            return self._start(account_id, lang, thread_id)

    def _start(self, account_id: str, lang: str, thread_id: str | None) -> TurnResult:
        profile = self.services.accounts.get(account_id)
        # one case per account and application: another browser (or tab) continues the unfinished one
        thread_id = thread_id or self._unfinished_thread(account_id)
        if thread_id and self._core._values(thread_id):
            with self._core._locks[thread_id]:
                recovered = self._core._recover(thread_id)
                result = recovered or self._core.status(thread_id)
                return result.model_copy(update={"replies": [template("greeting_back", result.language),
                                                             *result.replies]})
        thread_id = thread_id or uuid.uuid4().hex
        with self._core._locks[thread_id]:
            case_id = self.services.cases.open_case(thread_id, account_id, profile.masked_name)
            self.services.cases.audit("applicant", "conversation_started", case_id, f"account={account_id}",
                                      entry_id=f"start:{thread_id}")
            language = lang if lang in ("zh", "en") else self.settings.language
            return self._core._run(thread_id, {"incoming": Incoming(kind="start", turn_id=uuid.uuid4().hex),
                                               "account_id": account_id, "case_id": case_id, "language": language,
                                               "awaiting": "user", "handoff": False, "retrieved": Overwrite([])})

    def _unfinished_thread(self, account_id: str) -> str | None:
        """The thread of this account's latest case that has no final answer yet (open, in review, with a person)."""
        for case in self.services.cases.cases():  # newest first
            if case.account_id == account_id:
                return case.thread_id if case.status in ("open", "awaiting_review", "taken_over") else None
        return None

    def send(self, thread_id: str, text: str) -> TurnResult:
        text = (text or "").strip()
        if not text:
            raise UserInputError("the message is empty")
        with self._core._outage(thread_id), self._core._locks[thread_id]:
            self._core._require(thread_id)
            self._core._recover(thread_id)
            message = ChatMessage(role="user", text=text, at=_now())
            queued = self._core._queue_if_a_person_handles_it(thread_id, message)
            if queued is not None:
                return queued
            turn = Incoming(kind="message", text=text, turn_id=uuid.uuid4().hex)
            return self._core._run(thread_id, {"incoming": turn, "messages": [message], "retrieved": Overwrite([])})

    def upload(self, thread_id: str, files: list[tuple[str, bytes]],
               on_progress: ProgressCallback | None = None) -> TurnResult:
        if not files:
            raise UserInputError("no file was attached")
        if len(files) > self.settings.max_files_per_message:
            raise UserInputError(f"please send at most {self.settings.max_files_per_message} files at a time")
        with self._core._outage(thread_id), self._core._locks[thread_id]:
            values = self._core._require(thread_id)
            self._core._recover(thread_id)
            refs = [stage_upload(data, name, self.settings.data_dir, upload_id=uuid.uuid4().hex[:12])
                    for name, data in files]
            lang = values.get("language", "zh")
            message = ChatMessage(role="user", at=_now(), text="\n".join(
                template("uploaded_file", lang, filename=ref.filename) for ref in refs))
            case_id = values.get("case_id") or ""
            correction = (self._core._awaiting(thread_id) == "review"
                          and not self.services.cases.taken_over_by(case_id))
            queued = None if correction else self._core._queue_if_a_person_handles_it(thread_id, message)
            if queued is not None:
                return queued
            if correction:  # analysed now and decided with what is in review; a first approval no longer stands
                if approvals.pending_first_approval(self.services.cases.audit_log(case_id)) is not None:
                    self.services.cases.audit("agent", approvals.APPROVAL_WITHDRAWN, case_id, "a new upload arrived")
                self.services.cases.audit("applicant", "correction_uploaded", case_id,
                                          ", ".join(ref.sha256[:12] for ref in refs))
            turn = Incoming(kind="upload", uploads=refs, turn_id=uuid.uuid4().hex)
            return self._core._run(thread_id, {"incoming": turn, "messages": [message], "retrieved": Overwrite([])},
                                   on_progress=on_progress)

    def set_language(self, thread_id: str, lang: str) -> None:
        self._core.set_language(thread_id, lang)

    def transcript(self, thread_id: str) -> list[ChatMessage]:
        return self._core.transcript(thread_id)

    def status(self, thread_id: str) -> TurnResult:
        return self._core.status(thread_id)

    def case_for_thread(self, thread_id: str) -> str | None:
        return self.services.cases.case_for_thread(thread_id)

    def account_of(self, thread_id: str) -> str | None:
        """The account whose conversation this thread is (None for an unknown thread)."""
        case_id = self.services.cases.case_for_thread(thread_id)
        return None if case_id is None else self.services.cases.summary(case_id).account_id
