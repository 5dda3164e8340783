"""CredliftService: the one facade the web app, the CLI and the eval runner use.

Every applicant turn is one run of the conversation graph on the applicant's thread (checkpointed, so a restarted
process continues where it stopped). Staff actions resume a paused graph with `Command(resume=...)`; while a
person handles a conversation, applicant messages are queued for staff instead of answered by the bot.
"""
from __future__ import annotations

import hmac
import logging
import threading
import time
import uuid
from collections import defaultdict
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any, Callable

from langgraph.types import Command, Overwrite

from credlift.agent import approvals, grounding
from credlift.agent.checkpoint import open_checkpointer
from credlift import threads
from credlift.agent.context import AgentContext, AgentServices, make_services
from credlift.agent.contracts import (AuditEntry, CaseSummary, CaseView, ChatMessage, FourEyes, TurnResult,
                                      UploadOutcome)
from credlift.agent.graph import NODE_NAMES, build_graph
from credlift.agent.state import Incoming
from credlift.agent.uploads import stage_upload
from credlift.domain import ApplicantProfile, LimitDecision
from credlift.domain.applicant import mask_name, redact_id_numbers
from credlift.agent.postgres import TRANSIENT_ERRORS
from credlift.errors import NotFoundError, TemporarilyUnavailableError, UserInputError
from credlift.redaction import mask_personal_fields
from credlift.prompts import has_reply
from credlift.prompts import reply as template
from credlift.settings import Settings, get_settings

logger = logging.getLogger(__name__)

ProgressCallback = Callable[[str], None]


class CredliftService:
    def __init__(self, settings: Settings | None = None, services: AgentServices | None = None):
        self.settings = settings or get_settings()
        threads.apply_from_settings(self.settings)  # before any model starts a pool of its own
        self.services = services or make_services(self.settings)
        self._saver, self._checkpoint_connection = open_checkpointer(self.settings)
        self.graph = build_graph(self._saver)
        self._context = AgentContext(services=self.services)
        self._locks: defaultdict[str, threading.RLock] = defaultdict(threading.RLock)
        self._languages: dict[str, str] = {}  # thread -> language, to answer in it while the database is away
        _warm_up_retrieval()

    @contextmanager
    def _outage(self, thread_id: str | None = None, lang: str | None = None):
        """A store that stays unreachable through the retries: a friendly "try again in a moment" in the
        conversation's language. Nothing stored is lost; an interrupted run is finished by the next call."""
        try:
            yield
        except TRANSIENT_ERRORS as error:
            lang = lang or (self._languages.get(thread_id) if thread_id else None) or self.settings.language
            logger.warning("store unavailable (%s); the applicant is asked to try again", type(error).__name__)
            raise TemporarilyUnavailableError(template("try_again", lang), lang) from None

    # accounts
    def accounts(self) -> list[ApplicantProfile]:
        return self.services.accounts.list()

    def create_account(self, profile: ApplicantProfile) -> ApplicantProfile:
        return self.services.accounts.save(profile)

    # applicant conversation
    def start(self, account_id: str, lang: str = "zh", thread_id: str | None = None) -> TurnResult:
        """Opens a conversation (greeting), or continues an existing thread after a restart."""
        with self._outage(thread_id, lang if lang in ("zh", "en") else None):
            return self._start(account_id, lang, thread_id)

    def _start(self, account_id: str, lang: str, thread_id: str | None) -> TurnResult:
        profile = self.services.accounts.get(account_id)
        # one case per account and application: another browser (or tab) continues the unfinished one
        thread_id = thread_id or self._unfinished_thread(account_id)
        if thread_id and self._values(thread_id):
            with self._locks[thread_id]:
                recovered = self._recover(thread_id)
                result = recovered or self.status(thread_id)
                return result.model_copy(update={"replies": [template("greeting_back", result.language),
                                                             *result.replies]})
        thread_id = thread_id or uuid.uuid4().hex
        with self._locks[thread_id]:
            case_id = self.services.cases.open_case(thread_id, account_id, profile.masked_name)
            self.services.cases.audit("applicant", "conversation_started", case_id, f"account={account_id}",
                                      entry_id=f"start:{thread_id}")
            language = lang if lang in ("zh", "en") else self.settings.language
            return self._run(thread_id, {"incoming": Incoming(kind="start", turn_id=uuid.uuid4().hex),
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
        with self._outage(thread_id), self._locks[thread_id]:
            self._require(thread_id)
            self._recover(thread_id)
            message = ChatMessage(role="user", text=text, at=_now())
            queued = self._queue_if_a_person_handles_it(thread_id, message)
            if queued is not None:
                return queued
            turn = Incoming(kind="message", text=text, turn_id=uuid.uuid4().hex)
            return self._run(thread_id, {"incoming": turn, "messages": [message], "retrieved": Overwrite([])})

    def upload(self, thread_id: str, files: list[tuple[str, bytes]],
               on_progress: ProgressCallback | None = None) -> TurnResult:
        if not files:
            raise UserInputError("no file was attached")
        if len(files) > self.settings.max_files_per_message:
            raise UserInputError(f"please send at most {self.settings.max_files_per_message} files at a time")
        with self._outage(thread_id), self._locks[thread_id]:
            values = self._require(thread_id)
            self._recover(thread_id)
            refs = [stage_upload(data, name, self.settings.data_dir, upload_id=uuid.uuid4().hex[:12])
                    for name, data in files]
            lang = values.get("language", "zh")
            message = ChatMessage(role="user", at=_now(), text="\n".join(
                template("uploaded_file", lang, filename=ref.filename) for ref in refs))
            case_id = values.get("case_id") or ""
            correction = self._awaiting(thread_id) == "review" and not self.services.cases.taken_over_by(case_id)
            queued = None if correction else self._queue_if_a_person_handles_it(thread_id, message)
            if queued is not None:
                return queued
            if correction:  # analysed now and decided with what is in review; a first approval no longer stands
                if approvals.pending_first_approval(self.services.cases.audit_log(case_id)) is not None:
                    self.services.cases.audit("agent", approvals.APPROVAL_WITHDRAWN, case_id, "a new upload arrived")
                self.services.cases.audit("applicant", "correction_uploaded", case_id,
                                          ", ".join(ref.sha256[:12] for ref in refs))
            turn = Incoming(kind="upload", uploads=refs, turn_id=uuid.uuid4().hex)
            return self._run(thread_id, {"incoming": turn, "messages": [message], "retrieved": Overwrite([])},
                             on_progress=on_progress)

    def set_language(self, thread_id: str, lang: str) -> None:
        if lang not in ("zh", "en"):
            raise UserInputError("language must be 'zh' or 'en'")
        with self._locks[thread_id]:
            self._require(thread_id)
            snapshot = self.graph.get_state(self._config(thread_id))
            # Writing as the last node keeps the pending step (a paused review) scheduled as it was.
            self.graph.update_state(self._config(thread_id), {"language": lang},
                                    as_node=_last_writer(snapshot))
            self._recover(thread_id)  # a paused review or hand-off pauses again at once

    def transcript(self, thread_id: str) -> list[ChatMessage]:
        values = self._values(thread_id)
        messages = list(values.get("messages") or [])
        case_id = values.get("case_id") or self.services.cases.case_for_thread(thread_id)
        if case_id:
            messages += self.services.cases.side_messages(case_id)
        floor = datetime.min.replace(tzinfo=timezone.utc)
        return sorted(messages, key=lambda m: m.at or floor)

    def status(self, thread_id: str) -> TurnResult:
        with self._outage(thread_id), self._locks[thread_id]:
            values = self._require(thread_id)
            recovered = self._recover(thread_id)
            if recovered is not None:
                return recovered
            return TurnResult(thread_id=thread_id, case_id=values.get("case_id"), decision=values.get("decision"),
                              awaiting=self._awaiting(thread_id), language=values.get("language", "zh"))

    # helpdesk
    def authenticate_staff(self, user: str, password: str) -> str | None:
        for entry in self.settings.staff_users.split(","):
            parts = entry.strip().split(":")
            if len(parts) < 3:
                continue
            name, secret, role = parts[0], ":".join(parts[1:-1]), parts[-1]
            if hmac.compare_digest(name.encode(), (user or "").encode()) and \
                    hmac.compare_digest(secret.encode(), (password or "").encode()):
                self.services.cases.audit(name, "staff_login")
                return role
        self.services.cases.audit(user or "?", "staff_login_failed")
        return None

    def review_queue(self) -> list[CaseSummary]:
        """Cases waiting for staff, oldest first: referrals in review and conversations handed over to a person,
        each with why it waits and its priority (decisive evidence or a large increase first)."""
        waiting = [c for c in self.services.cases.cases() if c.status in ("awaiting_review", "taken_over")]
        entries = [self._queue_entry(c) for c in waiting]
        floor = datetime.min.replace(tzinfo=timezone.utc)
        return sorted(entries, key=lambda c: (c.priority != "high", c.queued_at or c.updated_at or floor))

    def _queue_entry(self, summary: CaseSummary) -> CaseSummary:
        if summary.status == "taken_over":
            return summary.model_copy(update={"reason": "human", "priority": "normal"})
        try:
            gate = self.four_eyes(summary.case_id)
        except Exception:  # a case whose state cannot be read still shows, without a reason
            logger.exception("case %s: four-eyes check failed", summary.case_id)
            return summary.model_copy(update={"priority": "normal"})
        if gate.reasons:
            return summary.model_copy(update={"reason": gate.reasons[0], "priority": "high"})
        decision: LimitDecision | None = self._values(summary.thread_id).get("decision")
        first = next((r.code for r in (decision.reason_codes if decision else []) if r.code.startswith("DOC_")), "")
        return summary.model_copy(update={"reason": first, "priority": "normal"})

    def cases(self) -> list[CaseSummary]:
        return self.services.cases.cases()

    def case_for_thread(self, thread_id: str) -> str | None:
        return self.services.cases.case_for_thread(thread_id)

    def case_view(self, case_id: str, staff_user: str, reveal: bool = False) -> CaseView:
        summary = self.services.cases.summary(case_id)
        values = self._values(summary.thread_id)
        decision: LimitDecision | None = values.get("decision")
        profile = self.services.accounts.get(summary.account_id)
        uploads = self.services.cases.uploads(case_id)
        if reveal:
            self.services.cases.audit(staff_user, "reveal_personal_data", case_id, "personal data shown to staff")
        else:
            uploads = [_mask_upload(u) for u in uploads]
        applicant = profile.model_dump(mode="json")
        if not reveal:
            applicant.update(name=profile.masked_name, id_number=profile.masked_id_number)
        transcript = [m if reveal else m.model_copy(update={"text": redact_id_numbers(m.text)})
                      for m in self.transcript(summary.thread_id)]
        clause_ids = list(decision.clause_ids) if decision else []
        clauses = grounding.lookup(clause_ids) if clause_ids else []
        overlays = [u.authenticity.overlay_path for u in uploads if u.authenticity and u.authenticity.overlay_path]
        self.services.cases.audit(staff_user, "case_viewed", case_id, "")
        four_eyes = self.four_eyes(case_id) if summary.status == "awaiting_review" else FourEyes()
        return CaseView(summary=summary, transcript=transcript, uploads=uploads, decision=decision, clauses=clauses,
                        applicant=applicant, overlay_paths=overlays, revealed=reveal, four_eyes=four_eyes)

    def four_eyes(self, case_id: str) -> FourEyes:
        """Whether approving this review needs a reason and a second person, and the first approval if given."""
        summary = self.services.cases.summary(case_id)
        values = self._values(summary.thread_id)
        referral: LimitDecision | None = values.get("decision")
        result = (values.get("results") or {}).get(values.get("decided_upload_id", ""))
        increase = 0
        drivers: list[str] = []
        if result is not None and result.credential is not None:
            from credlift.tools import limits

            preview = limits.decide(self.services.accounts.get(summary.account_id), result.credential,
                                    result.validation, result.authenticity, result.risk_score,
                                    assessment=result.assessment, review_cleared=True)
            increase = preview.increase
            drivers = list(result.authenticity.drivers) if result.authenticity else []
        reasons = approvals.risky_reasons(referral, drivers, increase, self.settings.four_eyes_increase_above)
        first = approvals.pending_first_approval(self.services.cases.audit_log(case_id))
        return FourEyes(reasons=reasons, increase_if_approved=increase,
                        increase_limit=self.settings.four_eyes_increase_above,
                        first_approver=first.actor if first else "", first_reason=approvals.reason_of(first) if first else "")

    def resolve_review(self, case_id: str, staff_user: str, approve: bool, note: str = "") -> TurnResult:
        """Approve or decline a case in review. A risky approval (approvals.py) needs a written reason from two
        different staff members: the first is recorded and the case stays in review until the second."""
        summary = self.services.cases.summary(case_id)
        note = (note or "").strip()
        with self._locks[summary.thread_id]:
            if self._interrupt_kind(summary.thread_id) != "review":
                self.services.cases.audit(staff_user, "review_refused", case_id, "not in review")
                raise approvals.ReviewRefused("case_not_in_review", f"case {case_id} is not waiting for a review "
                                              "(it is decided or was never referred)")
            if approve:
                gate = self.four_eyes(case_id)
                if gate.required and len(note) < approvals.MIN_REASON_CHARS:
                    self.services.cases.audit(staff_user, "review_refused", case_id, "no written reason")
                    raise approvals.ReviewRefused("reason_required", "approving this case needs a written reason")
                if gate.required and not gate.first_approver:
                    self.services.cases.audit(staff_user, approvals.FIRST_APPROVAL, case_id,
                                              f"reasons={','.join(gate.reasons)} | {note}")
                    return self._staff_result(summary.thread_id, case_id).model_copy(
                        update={"second_approval_needed": True})
                if gate.required and gate.first_approver == staff_user:
                    self.services.cases.audit(staff_user, "review_refused", case_id, "same person approved twice")
                    raise approvals.ReviewRefused("second_person_required", "a second staff member must approve "
                                                  "this case", first=gate.first_approver)
                if gate.required:
                    note = f"{gate.first_approver}: {gate.first_reason} / {staff_user}: {note}"
            self.services.cases.audit(staff_user, approvals.RESOLVED, case_id,
                                      f"approve={bool(approve)} note={note}")
            return self._run(summary.thread_id, Command(resume={"approve": bool(approve), "note": note,
                                                                "staff": staff_user}))

    def staff_reply(self, case_id: str, staff_user: str, text: str) -> TurnResult:
        summary = self.services.cases.summary(case_id)
        text = (text or "").strip()
        if not text:
            raise UserInputError("the reply is empty")
        message = ChatMessage(role="staff", text=text, author=staff_user, at=_now())
        self.services.cases.add_side_message(case_id, message)
        self.services.cases.audit(staff_user, "staff_reply", case_id, text[:200])
        values = self._values(summary.thread_id)
        return TurnResult(thread_id=summary.thread_id, case_id=case_id, replies=[text],
                          decision=values.get("decision"), awaiting=self._awaiting(summary.thread_id),
                          language=values.get("language", "zh"))

    def take_over(self, case_id: str, staff_user: str) -> TurnResult:
        summary = self.services.cases.summary(case_id)
        self.services.cases.update_case(case_id, taken_over_by=staff_user, status="taken_over")
        self.services.cases.audit(staff_user, "take_over", case_id, "")
        return self._staff_result(summary.thread_id, case_id)

    def hand_back(self, case_id: str, staff_user: str) -> TurnResult:
        summary = self.services.cases.summary(case_id)
        with self._locks[summary.thread_id]:
            self.services.cases.update_case(case_id, taken_over_by="")
            self.services.cases.audit(staff_user, "hand_back", case_id, "")
            if self._interrupt_kind(summary.thread_id) == "human":
                return self._run(summary.thread_id, Command(resume={"staff": staff_user}))
            self._sync_case(summary.thread_id)
            return self._staff_result(summary.thread_id, case_id)

    def audit_log(self, case_id: str | None = None) -> list[AuditEntry]:
        return self.services.cases.audit_log(case_id)

    def close(self) -> None:
        if self._checkpoint_connection is not None:
            self._checkpoint_connection.close()
        self.services.cases.close()

    # internals
    @staticmethod
    def _config(thread_id: str) -> dict:
        return {"configurable": {"thread_id": thread_id}}

    def _values(self, thread_id: str) -> dict[str, Any]:
        return dict(self.graph.get_state(self._config(thread_id)).values or {})

    def _require(self, thread_id: str) -> dict[str, Any]:
        values = self._values(thread_id)
        if not values:
            raise NotFoundError(f"no conversation with id '{thread_id}' (start one first)")
        return values

    def _interrupt_kind(self, thread_id: str) -> str | None:
        snapshot = self.graph.get_state(self._config(thread_id))
        for pending in snapshot.interrupts or ():
            value = pending.value if isinstance(pending.value, dict) else {}
            return str(value.get("kind", "human"))
        return None

    def _awaiting(self, thread_id: str) -> str:
        kind = self._interrupt_kind(thread_id)
        case_id = self.services.cases.case_for_thread(thread_id)
        if kind == "review":
            return "review"
        if kind == "human" or (case_id and self.services.cases.taken_over_by(case_id)):
            return "staff"
        return "user"

    def _recover(self, thread_id: str) -> TurnResult | None:
        """Finishes a run a previous process started but did not complete (killed mid-application)."""
        snapshot = self.graph.get_state(self._config(thread_id))
        if snapshot.next and not snapshot.interrupts:
            logger.info("thread %s: resuming an unfinished run at %s", thread_id, ",".join(snapshot.next))
            try:
                return self._run(thread_id, None)
            except Exception:  # a run that cannot finish must not block the conversation: new input starts afresh
                logger.exception("thread %s: the unfinished run could not be completed", thread_id)
        return None

    def _queue_if_a_person_handles_it(self, thread_id: str, message: ChatMessage) -> TurnResult | None:
        awaiting = self._awaiting(thread_id)
        if awaiting == "user":
            return None
        values = self._values(thread_id)
        case_id = values["case_id"]
        lang = _language_of(message.text, values.get("language", "zh"))
        if lang != values.get("language", "zh"):
            self.set_language(thread_id, lang)
        self.services.cases.add_side_message(case_id, message)
        self.services.cases.audit("applicant", "message_queued_for_staff", case_id, "")
        replies: list[str] = []
        if self.services.cases.taken_over_by(case_id):
            replies = []  # a person is answering: the bot stays quiet
        else:
            replies = [template("review_waiting" if awaiting == "review" else "human_waiting", lang)]
            for text in replies:
                self.services.cases.add_side_message(case_id, ChatMessage(role="assistant", text=text, at=_now()))
        return TurnResult(thread_id=thread_id, case_id=case_id, replies=replies, decision=values.get("decision"),
                          awaiting=awaiting, language=lang,
                          cited_clauses=[c for r in replies for c in grounding.cited_ids(r)])

    def _run(self, thread_id: str, graph_input: Any, on_progress: ProgressCallback | None = None) -> TurnResult:
        config = self._config(thread_id)
        started = time.perf_counter()
        before = self._values(thread_id)
        seen = len(before.get("messages") or [])
        lang = before.get("language") or (graph_input.get("language") if isinstance(graph_input, dict) else None) or "zh"
        progress: list[str] = []
        nodes: list[str] = []
        # durability="sync": each step's checkpoint is on disk before the next step starts (kill-safe)
        for mode, chunk in self.graph.stream(graph_input, config, context=self._context,
                                             stream_mode=["tasks", "updates"], durability="sync"):
            if mode != "tasks" or "input" not in chunk or chunk.get("name") not in NODE_NAMES:
                continue
            name = chunk["name"]
            nodes.append(name)
            if name not in ("converse", "handoff") and has_reply(f"progress.{name}", lang):
                line = template(f"progress.{name}", lang)
                progress.append(line)
                if on_progress is not None:
                    on_progress(line)
        values = self._values(thread_id)
        replies = [m.text for m in (values.get("messages") or [])[seen:] if m.role == "assistant"]
        self._languages[thread_id] = values.get("language", "zh")
        self._sync_case(thread_id)
        return TurnResult(
            thread_id=thread_id, case_id=values.get("case_id"), replies=replies, progress=progress,
            nodes_run=list(dict.fromkeys(nodes)), decision=values.get("decision"),
            cited_clauses=list(dict.fromkeys(c for r in replies for c in grounding.cited_ids(r))),
            retrieved_clauses=[c.clause.id for c in values.get("retrieved") or []],
            awaiting=self._awaiting(thread_id), language=values.get("language", "zh"),
            latency_s=round(time.perf_counter() - started, 3))

    def _sync_case(self, thread_id: str) -> None:
        """The helpdesk row mirrors the conversation: status, credential type, verdict, decision."""
        values = self._values(thread_id)
        case_id = values.get("case_id")
        if not case_id:
            return
        decision: LimitDecision | None = values.get("decision")
        result = (values.get("results") or {}).get(values.get("decided_upload_id", ""))
        kind = self._interrupt_kind(thread_id)
        if kind == "review":
            status = "awaiting_review"
        elif kind == "human" or self.services.cases.taken_over_by(case_id):
            status = "taken_over"
        else:
            status = "decided" if decision is not None else "open"
        columns = {"status": status, "decision": decision.kind if decision else ""}
        if result is not None:
            columns["credential_type"] = result.credential.type if result.credential else ""
            columns["verdict"] = result.authenticity.verdict if result.authenticity else ""
        self.services.cases.update_case(case_id, **columns)

    def _staff_result(self, thread_id: str, case_id: str) -> TurnResult:
        values = self._values(thread_id)
        return TurnResult(thread_id=thread_id, case_id=case_id, decision=values.get("decision"),
                          awaiting=self._awaiting(thread_id), language=values.get("language", "zh"))


def _warm_up_retrieval() -> None:
    """Opens the policy index now so the first question is answered at warm speed."""
    try:
        from credlift.knowledge import warm_up

        warm_up()
    except Exception as error:  # retrieval problems surface (and are handled) on first use
        logger.warning("policy index warm-up failed: %s", error)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _language_of(text: str, current: str) -> str:
    """The language a message asks for or is written in (the deterministic detector), else the current one."""
    from credlift.agent.responders.intents import detect_intent, detect_language

    intent = detect_intent(text)
    if intent in ("switch_en", "switch_zh"):
        return intent[-2:]
    return detect_language(text) or current


def _last_writer(snapshot) -> str | None:
    writes = (snapshot.metadata or {}).get("writes") or {}
    names = [name for name in writes if name in NODE_NAMES]
    return names[-1] if names else None


def _mask_upload(outcome: UploadOutcome) -> UploadOutcome:
    if outcome.credential is None:
        return outcome
    fields = mask_personal_fields(outcome.credential.fields)
    holder = outcome.credential.fields.get("holder_name")
    holder = holder if isinstance(holder, str) else ""
    lines = [redact_id_numbers(line.replace(holder, mask_name(holder)) if holder else line)
             for line in outcome.credential.text_lines]
    credential = outcome.credential.model_copy(update={"fields": fields, "text_lines": lines})
    return outcome.model_copy(update={"credential": credential})
