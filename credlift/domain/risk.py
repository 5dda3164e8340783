"""What does it mean for risk? The scorecard's estimate and the (LLM or deterministic) risk reasoning."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

RiskLevel = Literal["low", "medium", "high"]


class RiskScore(BaseModel):
    """Output of the trained scorecard for one applicant with (or without) one credential."""
    probability_of_default: float = Field(ge=0.0, le=1.0)
    baseline_probability_of_default: float = Field(ge=0.0, le=1.0, description="same applicant without the credential")
    points: int = 0
    band: str = ""
    model_version: str = ""
    contributions: dict[str, float] = Field(default_factory=dict, description="feature -> points")
    neutral_points: float = Field(default=0.0, description="points with every feature neutral; plus contributions = points")
    # What would bring a PD above the approval line (the top of the last band that gives an increase) under it,
    # everything else as it is; None when already under it, or when that change alone would not do it.
    months_to_line: int | None = Field(default=None, description="more months on book, with on-time repayment")
    utilisation_to_line: float | None = Field(default=None, description="the highest utilisation that would do")
    thin_file: bool = Field(default=False, description="scored in the thin-file segment")


class RiskFactor(BaseModel):
    name: str
    direction: Literal["raises_risk", "lowers_risk", "neutral"]
    detail: str = ""


class RiskAssessment(BaseModel):
    """Risk reasoning; an LLM's version is schema-validated and bounded before the policy engine may use it."""
    risk_level: RiskLevel
    factors: list[RiskFactor] = Field(default_factory=list)
    adjustment: float = Field(default=0.0, ge=-0.5, le=0.2,
                              description="relative change to the policy increase the engine may accept, bounded")
    cited_clauses: list[str] = Field(default_factory=list)
    rationale: str = ""
    source: Literal["deterministic", "llm"] = "deterministic"
