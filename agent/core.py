"""The agent's core, shared by the applicant and helpdesk facades (agent/applicant.py, agent/helpdesk.py): the
conversation graph and its checkpointer, the per-thread locks, and the mechanics both sides use (running the graph on
a thread, recovering an interrupted run, mirroring the conversation into the helpdesk's case row, queueing a message
for staff while a person handles the case).

Every applicant turn is one run of the conversation graph on the applicant's thread (checkpointed, so a restarted
process continues where it stopped). Staff actions resume a paused graph with `Command(resume=...)`; while a
person handles a conversation, applicant messages are queued for staff instead of answered by the bot.
The underscored methods are the agent package's own: the facades call them, nothing outside agent/ does.
"""
from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any, Callable

from credlift import threads
from credlift.agent import grounding
from credlift.agent.checkpoint import open_checkpointer
from credlift.agent.context import AgentContext, AgentServices, make_services
from credlift.agent.contracts import ChatMessage, TurnResult
from credlift.agent.graph import NODE_NAMES, build_graph
from credlift.database import TRANSIENT_ERRORS
from credlift.domain import LimitDecision
from credlift.errors import NotFoundError, TemporarilyUnavailableError, UserInputError
from credlift.prompts import has_reply
from credlift.prompts import reply as template
from credlift.settings import Settings, get_settings

logger = logging.getLogger(__name__)

ProgressCallback = Callable[[str], None]


class AgentCore:
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
        if not self.settings.ray_address:  # the analysis runs in this process (else on the Ray replicas, warmed there)
            _warm_up_analysis()

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

    def close(self) -> None:
        if self._checkpoint_connection is not None:
            self._checkpoint_connection.close()
        self.services.cases.close()
        self.services.analysis.close()

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


def _warm_up_analysis() -> None:
    """Loads the reader's and the checks' models now, under this worker's thread budget, so the first upload is
    answered at warm speed (tools/pipeline.warm_up)."""
    try:
        from credlift.tools.pipeline import warm_up

        warm_up()
    except Exception as error:  # a model that cannot load fails (and is reported) on first use
        logger.warning("analysis warm-up failed: %s: %s", type(error).__name__, error)


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
