"""The LLM responder: any OpenAI-compatible server (vLLM serving Qwen, ...) through langchain-openai, with tool
calling over a small tool set. Its reply then passes the guard (numbers from the decision record, clause ids that
were retrieved); if the server is down or slow, the deterministic responder answers and the reason is logged.

Text read from uploaded images is never sent to the model: it is data, never instructions. Applicant text is
screened first (agent/injection.py): a message that tries to instruct the model is answered by the deterministic
responder, earlier such messages are withheld from the history, and what is sent is ID-redacted and wrapped as
data. Every model reply is checked against the decision (no decision word, promise or stretch of the system
prompt it does not support) before the number and clause guard; a failed check gives the deterministic reply.
"""
from __future__ import annotations

import json
import logging
from functools import lru_cache
from typing import Any

from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.tools import tool
from langchain_openai import ChatOpenAI

from credlift.agent import grounding
from credlift.agent.guard import allowed_numbers, enforce
from credlift.injection import as_data, check_reply, screen
from credlift.agent.responders import templates
from credlift.agent.responders.base import ConversationView, Reply
from credlift.agent.responders.deterministic import DeterministicResponder
from credlift.agent.responders.intents import detect_intent
from credlift.redaction import redact
from credlift.prompts import load
from credlift.settings import Settings

logger = logging.getLogger(__name__)

MAX_TOOL_ROUNDS = 4
HISTORY_MESSAGES = 8
LANGUAGE_NAMES = {"zh": {"zh": "中文", "en": "英文"}, "en": {"zh": "Chinese", "en": "English"}}
# Turns that are control actions, not conversation: the deterministic responder handles them.
CONTROL_INTENTS = ("switch_en", "switch_zh", "budget")


@tool
def retrieve_policy(query: str) -> str:
    """Search the lending policy. Returns clauses (id, title, text); cite their ids in square brackets."""
    return ""  # executed by LlmResponder._run_tool, which knows the conversation's language


@tool
def get_decision() -> str:
    """The applicant's latest limit decision record (outcome, amounts, reasons with clause ids), or none."""
    return ""


@tool
def request_human(reason: str = "") -> str:
    """Hand the conversation to a human colleague when the applicant asks for a person."""
    return ""


TOOLS = [retrieve_policy, get_decision, request_human]


class LlmResponder:
    name = "llm"

    def __init__(self, settings: Settings, fallback: DeterministicResponder | None = None, chat: Any = None):
        self.settings = settings
        self.fallback = fallback or DeterministicResponder()
        # max_tokens bounds a reply; the timeout closes the connection, which makes vLLM abort the request.
        self.chat = chat or ChatOpenAI(base_url=settings.responder_url, model=settings.responder_llm_model,
                                       api_key=settings.llm_api_key.get_secret_value() or "EMPTY",
                                       timeout=settings.llm_timeout_s, max_retries=0, temperature=0.2,
                                       max_tokens=settings.responder_max_tokens,
                                       # sent as max_completion_tokens; servers that read only the older
                                       # max_tokens (llama.cpp) get it too
                                       extra_body={"max_tokens": settings.responder_max_tokens})
        self.chat_with_tools = self.chat.bind_tools(TOOLS)

    def explain(self, view: ConversationView, extra: Any = None) -> Reply:
        """Outcome explanations are assembled from the decision record's templates (no model wording needed)."""
        return self.fallback.explain(view, extra)

    def respond(self, view: ConversationView) -> Reply:
        intent = detect_intent(view.text)
        lang = self.fallback.language_for(view, intent)
        if intent in CONTROL_INTENTS:
            return self.fallback.respond(view)
        screened = screen(view.text)
        if intent == "injection" or screened.flagged:  # instructions never reach the model
            reply = templates.fixed("injection", lang)
            return reply.model_copy(update={"intent": "injection", "language": lang, "notes": [
                f"screened before the model: {', '.join(screened.flags) or 'injection intent'}; deterministic reply"]})
        try:
            text, retrieved, handoff = self._converse(view, lang)
        except Exception as error:  # server down, timeout, malformed answer: the deterministic voice answers
            reason = redact(f"{type(error).__name__}: {error}")
            logger.warning("LLM responder unavailable, deterministic reply used: %s", reason[:300])
            reply = self.fallback.respond(view)
            return reply.model_copy(update={"notes": [f"fallback: {reason[:200]}"]})
        check = check_reply(text, view.decision, view.review_outcome, secrets=self.secrets(lang),
                            public=_public_text())
        if not check.passed:
            logger.warning("LLM reply failed the check, deterministic reply used: %s", "; ".join(check.problems))
            reply = self.fallback.respond(view)
            return reply.model_copy(update={"notes": [f"reply check failed: {'; '.join(check.problems)}"[:300]]})
        baseline = self.fallback.reply_for(intent, view, lang)
        report = enforce(text, allowed_numbers(view.decision, [*retrieved, *baseline.retrieved]),
                         retrieved, baseline.text)
        if report.changed:
            logger.info("LLM reply corrected by the guard: %s", "; ".join(report.notes))
            retrieved = grounding.union(retrieved, baseline.retrieved)
        return Reply(text=report.text, intent=intent, language=lang, retrieved=retrieved,
                     handoff=handoff or (intent == "human" and baseline.handoff),
                     source="llm", notes=report.notes)

    @staticmethod
    def system_prompt(lang: str) -> str:
        language_name = LANGUAGE_NAMES[lang][lang]
        return load("conversation_system", lang).replace("{language_name}", language_name)

    @classmethod
    def secrets(cls, lang: str) -> list[str]:
        """What a reply must never repeat: the system prompts (both languages) and the tool descriptions."""
        return [cls.system_prompt("zh"), cls.system_prompt("en"), *(t.description for t in TOOLS)]

    # the tool-calling loop
    def _converse(self, view: ConversationView, lang: str) -> tuple[str, list, bool]:
        messages: list = [SystemMessage(self.system_prompt(lang))]
        names = [n for n in [*view.private_names, view.applicant_name] if n and "*" not in n]
        for message in view.history[-HISTORY_MESSAGES:]:
            if message.role == "user":
                messages.append(HumanMessage(_for_model(message.text, names)))
            elif message.role == "assistant":
                messages.append(AIMessage(redact(message.text, names)))
        if not view.history or view.history[-1].text != view.text:
            messages.append(HumanMessage(_for_model(view.text, names)))
        retrieved: list = []
        handoff = False
        for _ in range(MAX_TOOL_ROUNDS):
            answer = self.chat_with_tools.invoke(messages)
            messages.append(answer)
            if not answer.tool_calls:
                content = answer.content if isinstance(answer.content, str) else str(answer.content)
                if not content.strip():
                    raise ValueError("the model returned an empty reply")
                return content.strip(), retrieved, handoff
            for call in answer.tool_calls:
                output, found, wants_human = self._run_tool(call["name"], call.get("args") or {}, view, lang)
                retrieved = grounding.union(retrieved, found)
                handoff = handoff or wants_human
                messages.append(ToolMessage(output, tool_call_id=call["id"]))
        raise RuntimeError("the model kept calling tools without answering")

    def _run_tool(self, name: str, args: dict, view: ConversationView, lang: str) -> tuple[str, list, bool]:
        if name == "retrieve_policy":
            found = grounding.retrieve(str(args.get("query") or view.text), lang, k=3)
            rows = [{"id": c.clause.id, "title": c.clause.title_zh if lang == "zh" else c.clause.title_en,
                     "text": c.clause.text(lang)} for c in found]
            return json.dumps(rows, ensure_ascii=False), found, False
        if name == "get_decision":
            summary = decision_summary(view, lang)
            named = list(summary.get("clause_ids") or []) + [c for r in summary.get("reasons") or [] for c in r["clause_ids"]]
            return json.dumps(summary, ensure_ascii=False), grounding.lookup(named), False
        if name == "request_human":
            return json.dumps({"status": "a colleague has been asked to join"}), [], True
        return json.dumps({"error": f"unknown tool {name}"}), [], False


@lru_cache(maxsize=1)
def _public_text() -> str:
    """What credlift says anyway (the reply templates, both languages): repeating it is no prompt leak."""
    return json.dumps([load("replies", "zh"), load("replies", "en")], ensure_ascii=False)


WITHHELD = "(withheld: this message tried to instruct the assistant)"


def _for_model(text: str, names: list[str]) -> str:
    """An applicant message as the model sees it: ID numbers and names masked, wrapped as data; a message that
    tries to instruct the model is withheld."""
    if screen(text).flagged:
        return as_data(WITHHELD)
    return as_data(redact(text, names))


def decision_summary(view: ConversationView, lang: str) -> dict:
    """What the model may know of the decision: outcome, amounts, the applicant-facing reasons. Nothing about how
    authenticity was checked."""
    decision = view.decision
    if decision is None:
        return {"decision": None}
    if decision.kind == "refer":
        return {"decision": "under_review", "current_limit": decision.current_limit}
    if decision.kind == "decline" and (view.review_outcome == "declined" or templates.authenticity_driven(decision)):
        return {"decision": "decline", "current_limit": decision.current_limit, "new_limit": decision.new_limit,
                "reasons": [], "clause_ids": ["REV-MANUAL", "REV-APPEAL"]}
    return {"decision": decision.kind, "current_limit": decision.current_limit, "new_limit": decision.new_limit,
            "increase": decision.increase,
            "reasons": [{"text": r.text(lang), "clause_ids": r.clause_ids} for r in templates.applicant_reasons(decision)],
            "counterfactuals": [c.text(lang) for c in decision.counterfactuals],
            "clause_ids": decision.clause_ids}
