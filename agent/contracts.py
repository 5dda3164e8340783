"""What the agent offers the layers above it (ui/, evals/): the service facade's inputs and outputs.

`credlift.agent.service.CredliftService` and its two facades (agent/applicant.py, agent/helpdesk.py) implement these;
the web app, the CLI `chat`/`apply` commands and the eval runner use nothing else from the agent.
"""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from credlift.domain import AuthenticityReport, CredentialRecord, LimitDecision, RetrievedClause, ValidationReport

Role = Literal["user", "assistant", "staff", "system"]
NodeName = Literal["intake", "authenticate", "extract", "validate", "assess", "decide", "explain",
                   "converse", "handoff", "budget"]
Awaiting = Literal["user", "review", "staff"]


class ChatMessage(BaseModel):
    role: Role
    text: str
    at: datetime | None = None
    author: str = Field(default="", description="staff user name for role 'staff'")


class UploadOutcome(BaseModel):
    """Everything the pipeline found about one upload (staff see it all; applicants see none of the internals)."""
    upload_id: str
    filename: str
    sha256: str
    authenticity: AuthenticityReport | None = None
    credential: CredentialRecord | None = None
    validation: ValidationReport | None = None
    error: str = Field(default="", description="a sentence for the person when the file could not be used")


class TurnResult(BaseModel):
    """The outcome of one applicant turn (a message or an upload) or one staff action."""
    thread_id: str
    case_id: str | None = None
    replies: list[str] = Field(default_factory=list, description="assistant messages produced by this turn")
    progress: list[str] = Field(default_factory=list, description="progress lines shown while the upload was analysed")
    nodes_run: list[NodeName] = Field(default_factory=list)
    decision: LimitDecision | None = Field(default=None, description="the case's latest decision, if any")
    cited_clauses: list[str] = Field(default_factory=list, description="clause ids named in this turn's replies")
    retrieved_clauses: list[str] = Field(default_factory=list, description="clause ids retrieval returned this turn")
    awaiting: Awaiting = "user"
    language: Literal["zh", "en"] = "zh"
    latency_s: float = 0.0
    second_approval_needed: bool = Field(default=False, description="a first approval was recorded; a second "
                                                                     "staff member must approve (four-eyes)")


class CaseSummary(BaseModel):
    """A row of the helpdesk queue; personal data masked."""
    case_id: str
    thread_id: str
    account_id: str
    masked_name: str
    status: Literal["open", "awaiting_review", "decided", "taken_over", "closed"]
    credential_type: str = ""
    verdict: str = ""
    decision: str = ""
    updated_at: datetime | None = None
    queued_at: datetime | None = Field(default=None, description="when it last entered the queue (awaiting_review or "
                                                                    "taken_over); None while it is not waiting")
    reason: str = Field(default="", description="why it waits for staff: a four-eyes reason, a referral reason "
                                                "code, or 'human' (the person asked for one)")
    priority: Literal["", "high", "normal"] = ""


class FourEyes(BaseModel):
    """What the console shows about a case in review: why two people must approve, and who approved first."""
    reasons: list[str] = Field(default_factory=list, description="tampered, ai_generated, name_mismatch, reuse, amount")
    increase_if_approved: int = 0
    increase_limit: int = Field(default=0, description="settings.four_eyes_increase_above when the view was made")
    first_approver: str = ""
    first_reason: str = ""

    @property
    def required(self) -> bool:
        return bool(self.reasons)


class CaseView(BaseModel):
    """The helpdesk case page. Names and ID numbers masked unless revealed (an audited action)."""
    summary: CaseSummary
    transcript: list[ChatMessage]
    uploads: list[UploadOutcome]
    decision: LimitDecision | None = None
    clauses: list[RetrievedClause] = Field(default_factory=list)
    applicant: dict = Field(default_factory=dict, description="profile for staff, masked unless revealed")
    overlay_paths: list[str] = Field(default_factory=list, description="heatmap overlays, staff only")
    revealed: bool = False
    four_eyes: FourEyes = Field(default_factory=FourEyes, description="why two people must approve; who approved first")


class AuditEntry(BaseModel):
    at: datetime
    actor: str
    action: str
    case_id: str | None = None
    detail: str = ""
