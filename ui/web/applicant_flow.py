"""The applicant's side of the service, shared by the chat page and the API: checks uploads, then calls the service."""
from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from credlift.agent.contracts import ChatMessage, TurnResult
from credlift.settings import Settings
from credlift.ui.web.applicant_tokens import ApplicantTokens, SessionRefused
from credlift.ui.web.i18n import normalise
from credlift.ui.web.uploads import UploadCheck, check_uploads
from credlift.ui.web.views import AccountChoice

log = logging.getLogger(__name__)


class ApplicantFlow:
    def __init__(self, service, settings: Settings, tokens: ApplicantTokens | None = None):
        self.service = service
        self.settings = settings
        if tokens is None:
            from credlift.crypto import session_secret

            tokens = ApplicantTokens(session_secret(settings))
        self.tokens = tokens

    def session_token(self, account_id: str, thread_id: str) -> str:
        """The signed token that binds an API caller to this account's conversation."""
        return self.tokens.issue(account_id.strip(), thread_id)

    def bound_thread(self, token: str | None) -> str:
        """The conversation a token opens, checked on every call: a valid signature within its age, and the
        conversation still belongs to the account the token names. SessionRefused otherwise."""
        account_id, thread_id = self.tokens.open(token)
        if self.service.account_of(thread_id) != account_id:
            raise SessionRefused("session_invalid")
        return thread_id

    def accounts(self) -> list[AccountChoice]:
        return [AccountChoice.of(profile) for profile in self.service.accounts()]

    def start(self, account_id: str, lang: str, thread_id: str | None = None) -> TurnResult:
        """A new conversation, or (with thread_id) the same one again after a page reload or a restart."""
        return self.service.start(account_id.strip(), lang=normalise(lang), thread_id=thread_id)

    def send(self, thread_id: str, text: str) -> TurnResult:
        return self.service.send(thread_id, text)

    def check(self, paths: list[str | Path], lang: str) -> UploadCheck:
        return check_uploads(paths, normalise(lang), max_upload_mb=self.settings.max_upload_mb,
                             max_files=self.settings.max_files_per_message)

    def upload(self, thread_id: str, check: UploadCheck,
               on_progress: Callable[[str], None] | None = None) -> TurnResult:
        log.info("upload thread=%s files=%d", thread_id, len(check.accepted))
        return self.service.upload(thread_id, check.as_service_files(), on_progress=on_progress)

    def status(self, thread_id: str) -> TurnResult:
        return self.service.status(thread_id)

    def transcript(self, thread_id: str) -> list[ChatMessage]:
        return self.service.transcript(thread_id)

    def set_language(self, thread_id: str, lang: str) -> None:
        self.service.set_language(thread_id, normalise(lang))
