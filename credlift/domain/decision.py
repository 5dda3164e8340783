"""What do we do? The policy engine's auditable decision."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

DecisionKind = Literal["approve", "decline", "refer"]


class ReasonCode(BaseModel):
    code: str = Field(description="stable, e.g. CRED_CET6_STRONG, CAP_UTILISATION, DOC_SUSPICIOUS")
    text_zh: str
    text_en: str
    clause_ids: list[str] = Field(default_factory=list)

    def text(self, lang: str) -> str:
        return self.text_zh if lang == "zh" else self.text_en


class Counterfactual(BaseModel):
    text_zh: str
    text_en: str

    def text(self, lang: str) -> str:
        return self.text_zh if lang == "zh" else self.text_en


class LimitDecision(BaseModel):
    kind: DecisionKind
    current_limit: int
    new_limit: int
    increase: int = Field(description="yuan, a multiple of 100; 0 unless approved")
    reason_codes: list[ReasonCode] = Field(default_factory=list, description="ordered, most important first")
    counterfactuals: list[Counterfactual] = Field(default_factory=list)
    clause_ids: list[str] = Field(default_factory=list)
    policy_version: str
    inputs: dict = Field(default_factory=dict, description="every input the engine used, for audit")
    decided_at: datetime | None = None
    credential_key: str = Field(default="", description="type:certificate_number, the key CAP-ONCE counts")

    @property
    def pd_band(self) -> str:
        return str((self.inputs.get("pricing") or {}).get("pd_band", ""))


class MonthlyBudget(BaseModel):
    """A simple monthly plan after an increase (BUD-ADVICE); numbers from the decision and the policy parameters."""
    new_limit: int
    target_utilisation: float
    monthly_spend_ceiling: int = Field(description="yuan; keeps utilisation under the target")
    current_balance_estimate: int
    headroom: int = Field(description="yuan the plan leaves to spend this month")
    pay_days_before_due: int
    lines_zh: list[str] = Field(default_factory=list)
    lines_en: list[str] = Field(default_factory=list)
    lang: str = "zh"
    clause_ids: list[str] = Field(default_factory=lambda: ["BUD-ADVICE"])

    @property
    def lines(self) -> list[str]:
        return self.lines_zh if self.lang == "zh" else self.lines_en
