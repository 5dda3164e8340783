"""The conversation's typed state: what LangGraph checkpoints after every step.

Lists that grow over the conversation (messages, uploads, nodes_run) use an append reducer; per-upload results
merge by upload id, so a node returns only what it changed.
"""
from __future__ import annotations

import operator
from typing import Annotated, Any, Literal, TypedDict

from pydantic import BaseModel, Field

from credlift.agent.contracts import ChatMessage
from credlift.domain.decision import MonthlyBudget
from credlift.domain import (AuthenticityReport, CredentialRecord, LimitDecision, OcrLine, RetrievedClause,
                             RiskAssessment, RiskScore, ValidationReport)

Language = Literal["zh", "en"]


class UploadRef(BaseModel):
    """A file the person sent; the original bytes are stored by content hash under data_dir."""
    upload_id: str
    filename: str
    sha256: str
    path: str
    refused: str = Field(default="", description="why intake refused it before storing (then path is empty)")
    refusal: dict[str, Any] = Field(default_factory=dict,
                                    description="that refusal as {key, values}: said in the person's language")


class UploadResult(BaseModel):
    """What the pipeline found about one upload so far (each node fills its part)."""
    upload_id: str
    filename: str
    sha256: str = ""
    error: str = Field(default="", description="a sentence for the person when the file could not be used")
    refusal: dict[str, Any] = Field(default_factory=dict,
                                    description="the error as {key, values} (prompts/<lang>/refusals.yaml)")
    failed_step: str = Field(default="", description="the node whose tool failed on this upload (logged)")
    ocr_lines: list[OcrLine] = Field(default_factory=list)
    authenticity: AuthenticityReport | None = None
    credential: CredentialRecord | None = None
    validation: ValidationReport | None = None
    risk_score: RiskScore | None = None
    assessment: RiskAssessment | None = None


class Incoming(BaseModel):
    """What the person just sent: a message or files ("start" opens the conversation)."""
    kind: Literal["start", "message", "upload"]
    text: str = ""
    uploads: list[UploadRef] = Field(default_factory=list)
    turn_id: str = ""


class ReviewOutcome(BaseModel):
    """A staff member's answer to a manual review or the end of a human hand-off."""
    kind: Literal["review", "human"]
    approve: bool = False
    note: str = ""
    staff: str = ""


def add_clauses(left: list[RetrievedClause] | None, right: list[RetrievedClause] | None) -> list[RetrievedClause]:
    """Clauses retrieved during one turn (the service resets the list with `Overwrite([])` at each turn)."""
    merged = {item.clause.id: item for item in (left or [])}
    for item in right or []:
        merged.setdefault(item.clause.id, item)
    return list(merged.values())


def merge_results(left: dict[str, UploadResult] | None, right: dict[str, UploadResult] | None) -> dict[str, UploadResult]:
    merged = dict(left or {})
    merged.update(right or {})
    return merged


class AgentState(TypedDict, total=False):
    messages: Annotated[list[ChatMessage], operator.add]
    account_id: str
    case_id: str
    language: Language
    incoming: Incoming | None
    intent: str
    uploads: Annotated[list[UploadRef], operator.add]
    batch: list[str]  # upload ids of the application in progress
    results: Annotated[dict[str, UploadResult], merge_results]
    decision: LimitDecision | None
    decision_id: str
    decided_upload_id: str
    review: ReviewOutcome | None
    awaiting: Literal["user", "review", "staff"]
    handoff: bool
    budget: MonthlyBudget | None
    budget_offered_for: str  # decision id the budget was offered for
    retrieved: Annotated[list[RetrievedClause], add_clauses]  # clauses retrieval returned this turn
    nodes_run: Annotated[list[str], operator.add]


STATE_MODEL_TYPES: tuple[type, ...] = (
    ChatMessage, UploadRef, UploadResult, Incoming, ReviewOutcome,
    AuthenticityReport, CredentialRecord, LimitDecision, OcrLine, RetrievedClause, RiskAssessment, RiskScore,
    ValidationReport,
)
