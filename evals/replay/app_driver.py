"""Replays dialogues against a running credlift app through gradio_client (`credlift eval --via URL`).

Fixture accounts are copied through the app's /create_test_account endpoint, which the server offers only with
CREDLIFT_EVAL_ACCOUNTS=true; staff actions use the first staff user from this machine's settings.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

from credlift.agent.contracts import TurnResult
from credlift.domain import LimitDecision
from credlift.domain.applicant import ApplicantProfile
from credlift.errors import BackendUnavailableError, UserInputError
from credlift.settings import get_settings


def _as_turn_result(turn: dict) -> TurnResult:
    """The app's applicant turn (plain-words decision) mapped onto the fields the expectations read."""
    decision = None
    if turn.get("decision"):
        shown = turn["decision"]
        decision = LimitDecision(kind=shown["kind"], current_limit=shown.get("current_limit", 0),
                                 new_limit=shown.get("new_limit", 0), increase=shown.get("increase", 0),
                                 clause_ids=shown.get("clause_ids", []), policy_version=shown.get("policy_version", ""))
    return TurnResult(thread_id=turn["thread_id"], case_id=turn.get("case_id"),
                      replies=turn.get("replies_with_clause_ids", turn.get("replies", [])),
                      progress=turn.get("progress", []), nodes_run=turn.get("nodes_run", []), decision=decision,
                      cited_clauses=turn.get("cited_clauses", []), retrieved_clauses=turn.get("retrieved_clauses", []),
                      awaiting=turn.get("awaiting", "user"), language=turn.get("language", "zh"))


class AppDriver:
    def __init__(self, url: str, staff_user: str | None = None, staff_password: str | None = None):
        from gradio_client import Client

        try:
            self.client = Client(url, verbose=False)
        except Exception as error:  # connection refused, not a Gradio app, ...
            raise BackendUnavailableError(f"cannot reach a credlift app at {url} ({type(error).__name__})") from None
        user, password, _ = get_settings().staff_users.split(",")[0].split(":")
        self.staff_user, self.staff_password = staff_user or user, staff_password or password
        # further staff members, for the second approval of a four-eyes case (the n-th approval by the n-th person)
        self._staff = [(self.staff_user, self.staff_password)] + [
            (entry.split(":")[0], ":".join(entry.split(":")[1:-1])) for entry in get_settings().staff_users.split(",")
            if entry.count(":") >= 2 and entry.split(":")[0] != self.staff_user]
        self._tokens: dict[str, str] = {}
        self._approvals: dict[str, int] = {}
        self._fixtures: dict[str, ApplicantProfile] | None = None
        self._sessions: dict[str, str] = {}  # thread id -> the signed session token /start gave for it

    def _call(self, api_name: str, *args):
        return self.client.predict(*args, api_name=api_name)

    def fixture(self, account_id: str) -> ApplicantProfile:
        # the app shows masked names only; the demo seed file is the same on both sides
        from credlift.tools.accounts import load_demo_profiles

        if self._fixtures is None:
            self._fixtures = {p.account_id: p for p in load_demo_profiles()}
        if account_id not in self._fixtures:
            raise UserInputError(f"no fixture account '{account_id}'")
        return self._fixtures[account_id]

    def open(self, profile: ApplicantProfile, lang: str) -> tuple[str, TurnResult]:
        self._call("/create_test_account", profile.model_dump(mode="json"))
        started = self._call("/start", profile.account_id, lang)
        greeting = _as_turn_result(started)
        self._sessions[greeting.thread_id] = started["session_token"]
        return greeting.thread_id, greeting

    def send(self, thread_id: str, text: str) -> TurnResult:
        return _as_turn_result(self._call("/send", self._sessions[thread_id], text))

    def upload(self, thread_id: str, filename: str, data: bytes) -> TurnResult:
        from gradio_client import handle_file

        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / filename
            path.write_bytes(data)
            session = self._sessions[thread_id]
            language = self._call("/status", session).get("language", "zh")
            return _as_turn_result(self._call("/upload", session, [handle_file(str(path))], language))

    def _staff_token(self, member: int = 0) -> str:
        user, password = self._staff[member % len(self._staff)]
        if user not in self._tokens:
            self._tokens[user] = self._call("/staff_login", user, password)["token"]
        return self._tokens[user]

    def staff(self, thread_id: str, action: str, note: str, text: str) -> TurnResult:
        case_id = self._call("/status", self._sessions[thread_id]).get("case_id")
        token = self._staff_token()
        if action == "approve_review":
            count = self._approvals.get(case_id, 0)
            self._approvals[case_id] = count + 1
            token = self._staff_token(count)
        if action in ("approve_review", "decline_review"):
            resumed = self._call("/resolve_review", token, case_id, action == "approve_review", note)
            return TurnResult.model_validate(resumed)
        if action == "reply":
            self._call("/staff_reply", token, case_id, text or note)
        elif action == "take_over":
            self._call("/take_over", token, case_id)
        else:
            self._call("/hand_back", token, case_id)
        return _as_turn_result(self._call("/status", self._sessions[thread_id])).model_copy(
            update={"replies": [], "nodes_run": []})
