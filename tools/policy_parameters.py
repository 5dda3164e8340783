"""Loads knowledge/policy/parameters.yaml: the one source of the policy's numbers (engine and clauses alike)."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

PARAMETERS_FILE = Path(__file__).resolve().parent.parent / "knowledge" / "policy" / "parameters.yaml"


class ScoreTier(BaseModel):
    min_score: int
    increase: int


class PdBand(BaseModel):
    max_pd: float
    factor: float
    band: str


class Recency(BaseModel):
    full_credit_years: int
    older_fraction: float


class Bounds(BaseModel):
    min: float
    max: float


class BudgetAdvice(BaseModel):
    target_utilisation: float = 0.3
    pay_days_before_due: int = 3


class EvidenceRule(BaseModel):
    """How the evidence that a credential predicts repayment sizes its increase (tools/risk/evidence.py)."""
    min_holders: int = 500
    full_credit_log_odds: float = 0.10   # the upper 95% bound at or below minus this earns the full table amount


class RiskAppetite(BaseModel):
    """The product's economics behind the approval line (tools/risk/appetite.py, docs/risk-line.md); yearly
    fractions of the drawn balance."""
    interest_yield: float = Field(gt=0, lt=1)
    funding_cost: float = Field(ge=0, lt=1)
    operating_cost: float = Field(ge=0, lt=1)
    loss_given_default: float = Field(gt=0, le=1)


class CredentialIncreaseTable(BaseModel):
    """credential_increase: one entry per credential type, shaped as its spec's `pricing` says (tools/credentials):
    score_tiers -> a list of {min_score, increase}; by_level -> level code -> yuan; flat -> yuan. Read as
    attributes (`table.cet6`) or with `for_type`."""
    model_config = ConfigDict(extra="allow")

    @model_validator(mode="before")
    @classmethod
    def _shaped(cls, data: object) -> object:
        if not isinstance(data, dict):
            raise ValueError("credential_increase must map each credential type to its increase table")
        shaped: dict[str, object] = {}
        for kind, value in data.items():
            if isinstance(value, list):
                shaped[kind] = [ScoreTier.model_validate(tier) for tier in value]
            elif isinstance(value, dict):
                shaped[kind] = {str(level): int(amount) for level, amount in value.items()}
            elif isinstance(value, int) and not isinstance(value, bool):
                shaped[kind] = value
            else:
                raise ValueError(f"credential_increase.{kind} must be a list of score tiers, a table by level or "
                                 "an amount")
        return shaped

    def for_type(self, credential_type: str) -> list[ScoreTier] | dict[str, int] | int | None:
        return (self.model_extra or {}).get(credential_type)


class PolicyParameters(BaseModel):
    policy_version: str
    rounding_unit: int
    credential_increase: CredentialIncreaseTable
    cet_pass_line: int
    recency: Recency
    max_increase_per_type: dict[str, int]
    max_utilisation_for_increase: float
    max_delinquencies_last_12m: int
    cooldown_days: int
    total_limit_cap_by_income: dict[str, int]
    pd_scaling: list[PdBand]
    llm_adjustment_bounds: Bounds
    authenticity_refer_score: float
    issuer_verified_refer_score: float = 0.9
    budget: BudgetAdvice = BudgetAdvice()
    evidence: EvidenceRule = EvidenceRule()
    weak_evidence_cap: int = 0  # most a weaker-evidence credential (a screenshot: its spec says) can add
    risk_appetite: RiskAppetite

    def type_cap(self, credential_type: str, weaker_evidence: bool = False) -> int:
        """The most one credential type adds in one application: its `max_increase_per_type`, and for a
        weaker-evidence type (a screenshot; its spec says) never more than `weak_evidence_cap` (CAP-WEAK). The
        policy engine and the clause that lists the caps (CAP-TYPE) both read it."""
        cap = self.max_increase_per_type.get(credential_type, 0)
        return min(cap, self.weak_evidence_cap) if weaker_evidence else cap


@lru_cache(maxsize=4)
def load_policy_parameters(path: Path = PARAMETERS_FILE) -> PolicyParameters:
    return PolicyParameters.model_validate(yaml.safe_load(Path(path).read_text(encoding="utf-8")))
