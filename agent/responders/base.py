"""The responder contract: what a responder sees of the conversation, and what it gives back."""
from __future__ import annotations

from typing import Any, Literal, Protocol

from pydantic import BaseModel, Field

from credlift.agent.contracts import ChatMessage
from credlift.domain import LimitDecision, RetrievedClause

Language = Literal["zh", "en"]


class ConversationView(BaseModel):
    """What a responder may see. Text read from uploaded images is not here: it is data, never instructions."""
    text: str
    language: Language
    history: list[ChatMessage] = Field(default_factory=list)
    decision: LimitDecision | None = None
    review_outcome: str = Field(default="", description="'approved' / 'declined' after a manual review")
    awaiting: str = "user"
    applicant_name: str = ""
    private_names: list[str] = Field(default_factory=list, description="names masked in anything sent to a model")
    account_id: str = ""
    occupation: str = Field(default="", description="the account's occupation: its trade's proofs are named")


class Reply(BaseModel):
    text: str
    intent: str = ""
    language: Language = "zh"
    retrieved: list[RetrievedClause] = Field(default_factory=list)
    handoff: bool = Field(default=False, description="the person asked for a human")
    wants_budget: bool = False
    source: Literal["deterministic", "llm"] = "deterministic"
    notes: list[str] = Field(default_factory=list, description="why the guard or a fallback changed the reply (logs)")


class Responder(Protocol):
    def respond(self, view: ConversationView) -> Reply:
        """The answer to the person's latest message."""

    def explain(self, view: ConversationView, extra: Any = None) -> Reply:
        """The explanation of the decision in `view.decision` (after an upload or a review)."""
