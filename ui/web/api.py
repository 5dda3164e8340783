"""Named API endpoints for gradio_client (documented in docs/ui.md). Plain typed functions, JSON in and out.

Applicant endpoints return ApplicantTurn (no detector internals); staff endpoints need the token from
/staff_login and return the full case record, personal data masked unless revealed (an audited action).
"""
from __future__ import annotations

import logging

import gradio as gr
from gradio import FileData

from credlift.agent.approvals import ReviewRefused
from credlift.agent.contracts import CaseView
from credlift.domain.applicant import redact_id_numbers
from credlift.errors import UserInputError
from credlift.ui.web.applicant_flow import ApplicantFlow
from credlift.ui.web.applicant_tokens import SessionRefused
from credlift.ui.web.auth import SignInRefused
from credlift.ui.web.case_page import applicant_record, masked_fields
from credlift.ui.web.helpdesk_flow import HelpdeskFlow, StaffDenied
from credlift.ui.web.i18n import normalise, t
from credlift.ui.web.uploads import NotAnUpload, uploaded_path
from credlift.ui.web.views import ApplicantTurn, TranscriptLine

log = logging.getLogger(__name__)


class _Sentence(gr.Error):
    """A refusal the API caller sees as the error message (gradio_client raises AppError with it)."""

    def __init__(self, message: str):
        super().__init__(message, print_exception=False)


def _guarded(call, lang: str = "en"):
    try:
        return call()
    except gr.Error:
        raise
    except (StaffDenied, ReviewRefused, SessionRefused) as denied:
        raise _Sentence(t(lang, denied.key, **denied.values)) from None
    except SignInRefused as refused:
        raise _Sentence(t(lang, refused.key, **refused.values)) from None
    except UserInputError as error:
        raise _Sentence(str(error)) from None
    except Exception as error:
        log.exception("API call failed")
        raise _Sentence(t(lang, "service_error", error=type(error).__name__)) from None


def staff_case_record(view: CaseView) -> dict:
    """CaseView as JSON; unless revealed: credential fields and profile masked, transcript and OCR text redacted.

    The service masks already; this is the second lock on the door.
    """
    record = view.model_dump(mode="json")
    if not view.revealed:
        record["applicant"] = applicant_record(view)
        for message in record["transcript"]:
            message["text"] = redact_id_numbers(message["text"])
    for upload in record["uploads"]:
        credential = upload.get("credential")
        if credential:
            credential["fields"] = masked_fields(credential["fields"], view.revealed)
            if not view.revealed:
                credential["text_lines"] = [redact_id_numbers(line) for line in credential.get("text_lines", [])]
    return record


def register_api(applicant: ApplicantFlow, helpdesk: HelpdeskFlow) -> None:
    """Adds the endpoints to the open gr.Blocks."""

    def accounts() -> list[dict]:
        """Demo accounts: id, masked name, current limit."""
        return _guarded(lambda: [a.model_dump() for a in applicant.accounts()])

    def start(account_id: str, lang: str = "zh") -> dict:
        """Starts (or continues) the account's conversation; returns the greeting turn with `session_token`, which
        every other applicant endpoint takes: it binds the caller to this account's conversation."""
        def run() -> dict:
            result = applicant.start(account_id, lang)
            turn = ApplicantTurn.of(result).model_dump(mode="json")
            return turn | {"session_token": applicant.session_token(account_id, result.thread_id)}
        return _guarded(run, lang)

    def send(session_token: str, text: str) -> dict:
        """Sends the applicant's text message; returns the assistant's turn."""
        return _guarded(lambda: ApplicantTurn.of(applicant.send(applicant.bound_thread(session_token), text))
                        .model_dump(mode="json"))

    def upload(session_token: str, files: list[FileData], lang: str = "zh") -> dict:
        """Sends certificate photos (checked first: count, size, image type); returns the decision turn."""
        def run() -> dict:
            thread_id = applicant.bound_thread(session_token)
            try:
                paths = [uploaded_path(f["path"] if isinstance(f, dict) else f.path) for f in files or []]
            except NotAnUpload:
                raise _Sentence(t(lang, "not_uploaded")) from None
            check = applicant.check(paths, lang)
            if not check.accepted:
                raise _Sentence(" ".join(check.problems) or t(lang, "file_unreadable", filename="?"))
            return ApplicantTurn.of(applicant.upload(thread_id, check), notices=check.problems).model_dump(mode="json")
        return _guarded(run, normalise(lang))

    def status(session_token: str) -> dict:
        """The conversation's latest decision and what it is waiting for (user, review or staff)."""
        return _guarded(lambda: ApplicantTurn.of(applicant.status(applicant.bound_thread(session_token)))
                        .model_dump(mode="json"))

    def transcript(session_token: str) -> list[dict]:
        """The conversation so far as the person reads it (ID numbers masked, clause titles instead of ids)."""
        def run() -> list[dict]:
            thread_id = applicant.bound_thread(session_token)
            lang = applicant.status(thread_id).language
            return [TranscriptLine.of(m, lang).model_dump() for m in applicant.transcript(thread_id)]
        return _guarded(run)

    def set_language(session_token: str, lang: str) -> dict:
        """Switches the conversation to zh or en."""
        def run() -> dict:
            thread_id = applicant.bound_thread(session_token)
            applicant.set_language(thread_id, lang)
            return ApplicantTurn.of(applicant.status(thread_id)).model_dump(mode="json")
        return _guarded(run, normalise(lang))

    def staff_login(user: str, password: str, request: gr.Request = None) -> dict:
        """Signs a staff member in; returns {token, user, role}. Pass the token to the staff endpoints."""
        address = str(getattr(getattr(request, "client", None), "host", "") or "")

        def run() -> dict:
            session = helpdesk.sign_in(user, password, address)
            return {"token": session.token, "user": session.user, "role": session.role}
        return _guarded(run)

    def staff_logout(token: str) -> dict:
        """Ends a staff session."""
        helpdesk.sign_out(token)
        return {"signed_out": True}

    def review_queue(token: str, all_cases: bool = False) -> list[dict]:
        """Cases waiting for review (all cases with all_cases=true); names masked."""
        return _guarded(lambda: [c.model_dump(mode="json") for c in helpdesk.queue(token, all_cases=all_cases)])

    def case_view(token: str, case_id: str, reveal: bool = False) -> dict:
        """The case record for staff: transcript, uploads with signals and fields, decision, clauses."""
        return _guarded(lambda: staff_case_record(helpdesk.case(token, case_id, reveal=reveal)))

    def resolve_review(token: str, case_id: str, approve: bool, note: str = "") -> dict:
        """Approves or declines a review with a note; resumes the applicant's conversation."""
        return _guarded(lambda: helpdesk.resolve(token, case_id, approve=approve, note=note).model_dump(mode="json"))

    def staff_reply(token: str, case_id: str, text: str) -> dict:
        """Writes into the applicant's chat as the signed-in staff member."""
        def run() -> dict:
            if not text.strip():
                raise StaffDenied("empty_reply")
            helpdesk.reply(token, case_id, text)
            return {"case_id": case_id, "sent": True}
        return _guarded(run)

    def take_over(token: str, case_id: str) -> dict:
        """Takes the conversation over from the assistant."""
        def run() -> dict:
            helpdesk.take_over(token, case_id)
            return {"case_id": case_id, "taken_over": True}
        return _guarded(run)

    def hand_back(token: str, case_id: str) -> dict:
        """Hands the conversation back to the assistant."""
        def run() -> dict:
            helpdesk.hand_back(token, case_id)
            return {"case_id": case_id, "taken_over": False}
        return _guarded(run)

    def audit_log(token: str, case_id: str = "") -> list[dict]:
        """Audit entries of a case (all cases: supervisors only)."""
        return _guarded(lambda: [e.model_dump(mode="json") for e in helpdesk.audit(token, case_id or None)])

    def create_test_account(profile: dict) -> dict:
        """Only with CREDLIFT_EVAL_ACCOUNTS=true: creates an inline test profile for `credlift eval --via`."""
        def run() -> dict:
            if not applicant.settings.eval_accounts:
                raise _Sentence("test accounts are disabled on this server (set CREDLIFT_EVAL_ACCOUNTS=true)")
            from credlift.domain.applicant import ApplicantProfile

            created = applicant.service.create_account(ApplicantProfile.model_validate(profile))
            return {"account_id": created.account_id, "masked_name": created.masked_name}
        return _guarded(run)

    for endpoint in (accounts, create_test_account, start, send, status, transcript, set_language, staff_login, staff_logout,
                     review_queue, case_view, resolve_review, staff_reply, take_over, hand_back, audit_log):
        gr.api(endpoint, api_name=endpoint.__name__)
    gr.api(upload, api_name="upload", concurrency_id="pipeline", concurrency_limit=2)
