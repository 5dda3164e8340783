"""What the applicant-side API returns: a TurnResult without the internals only staff may see."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from credlift.agent.contracts import ChatMessage, TurnResult
from credlift.agent.wording import applicant_text, cited_clauses
from credlift.domain import LimitDecision
from credlift.domain.applicant import ApplicantProfile, redact_id_numbers
from credlift.ui.web.result_card import decision_clause_ids


class ApplicantDecision(BaseModel):
    kind: Literal["approve", "decline", "refer"]
    current_limit: int
    new_limit: int
    increase: int
    reasons: list[str] = Field(default_factory=list, description="plain words, in the conversation's language")
    reason_codes: list[str] = Field(default_factory=list)
    clause_ids: list[str] = Field(default_factory=list)
    what_else: list[str] = Field(default_factory=list)
    policy_version: str = ""

    @classmethod
    def of(cls, decision: LimitDecision, lang: str) -> "ApplicantDecision":
        return cls(kind=decision.kind, current_limit=decision.current_limit, new_limit=decision.new_limit,
                   increase=decision.increase, reasons=[r.text(lang) for r in decision.reason_codes],
                   reason_codes=[r.code for r in decision.reason_codes], clause_ids=decision_clause_ids(decision),
                   what_else=[c.text(lang) for c in decision.counterfactuals], policy_version=decision.policy_version)


class ClauseNote(BaseModel):
    """A policy clause a reply refers to, as the person reads it: its title, and its text a tap away."""
    id: str
    title: str
    text: str


def clause_notes(texts: list[str], lang: str) -> list[ClauseNote]:
    seen: dict[str, ClauseNote] = {}
    for text in texts:
        for clause_id, title, body in cited_clauses(text, lang):
            seen.setdefault(clause_id, ClauseNote(id=clause_id, title=title, text=body))
    return list(seen.values())


class ApplicantTurn(BaseModel):
    """One applicant turn as the API shows it: replies, progress, the decision in plain words, what it waits for."""
    thread_id: str
    case_id: str | None = None
    replies: list[str] = Field(default_factory=list, description="what to show the person: clause ids replaced by "
                                                                 "their titles, ID numbers masked")
    clauses: list[ClauseNote] = Field(default_factory=list, description="the clauses the replies refer to")
    replies_with_clause_ids: list[str] = Field(
        default_factory=list, description="the same replies with the clause ids the assistant cited (for audit and "
                                          "dialogue replay; not for showing to the person)")
    progress: list[str] = Field(default_factory=list)
    notices: list[str] = Field(default_factory=list, description="upload problems found before any analysis")
    decision: ApplicantDecision | None = None
    cited_clauses: list[str] = Field(default_factory=list)
    retrieved_clauses: list[str] = Field(default_factory=list, description="clause ids retrieval returned this turn")
    nodes_run: list[str] = Field(default_factory=list, description="graph steps this turn ran (no detector internals)")
    awaiting: Literal["user", "review", "staff"] = "user"
    language: Literal["zh", "en"] = "zh"
    latency_s: float = 0.0

    @classmethod
    def of(cls, result: TurnResult, notices: list[str] | None = None) -> "ApplicantTurn":
        lang = result.language
        marked = [redact_id_numbers(text) for text in result.replies]
        return cls(thread_id=result.thread_id, case_id=result.case_id,
                   replies=[applicant_text(text, lang) for text in marked], clauses=clause_notes(marked, lang),
                   replies_with_clause_ids=marked, progress=list(result.progress),
                   notices=list(notices or []),
                   decision=ApplicantDecision.of(result.decision, result.language) if result.decision else None,
                   cited_clauses=list(result.cited_clauses), retrieved_clauses=list(result.retrieved_clauses),
                   nodes_run=list(result.nodes_run), awaiting=result.awaiting, language=result.language,
                   latency_s=result.latency_s)


class AccountChoice(BaseModel):
    account_id: str
    masked_name: str
    current_limit: int
    occupation: str = ""

    @classmethod
    def of(cls, profile: ApplicantProfile) -> "AccountChoice":
        return cls(account_id=profile.account_id, masked_name=profile.masked_name,
                   current_limit=profile.current_limit, occupation=profile.occupation)


class TranscriptLine(BaseModel):
    """One line of the conversation as the person reads it (the assistant's clause ids as titles)."""
    role: str
    text: str
    author: str = ""
    clauses: list[ClauseNote] = Field(default_factory=list)

    @classmethod
    def of(cls, message: ChatMessage, lang: str = "zh") -> "TranscriptLine":
        text = redact_id_numbers(message.text)
        if message.role != "assistant":
            return cls(role=message.role, text=text, author=message.author)
        return cls(role=message.role, text=applicant_text(text, lang), author=message.author,
                   clauses=clause_notes([text], lang))
