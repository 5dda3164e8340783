"""Fairness by protected attribute: approval and default rates per group and the adverse-impact ratio.

The adverse-impact ratio (AIR) of a group is its approval rate divided by the approval rate of the group
approved most often; below 0.8 (the "four-fifths rule" of the US Uniform Guidelines on Employee Selection
Procedures, 29 CFR 1607.4(D), the customary screen in fair-lending reviews) is flagged. Protected attributes
are only read here, after the decisions: they never enter a model.
"""
from __future__ import annotations

import numpy as np
from pydantic import BaseModel, Field

FOUR_FIFTHS = 0.8
SMALL_GROUP = 30


class FairnessRow(BaseModel):
    attribute: str
    group: str
    applicants: int
    default_rate: float
    default_ci_low: float
    default_ci_high: float
    approval_rate_traditional: float
    approval_rate_credential: float
    air_traditional: float | None = Field(description="approval rate / the highest group's; None when no approvals")
    air_credential: float | None
    flagged: bool = Field(description="credential-aware AIR below 0.8 on a group of at least 30 applicants")
    small_group: bool = Field(description="fewer than 30 applicants: rates are too uncertain to judge")


def fairness_table(protected: dict[str, np.ndarray], y: np.ndarray, approved_traditional: np.ndarray,
                   approved_credential: np.ndarray) -> list[FairnessRow]:
    """One row per group of each attribute; arrays aligned with `y` (the compared population)."""
    from credlift.training.risk.study import wilson_interval

    rows: list[FairnessRow] = []
    for attribute, groups in protected.items():
        labels = sorted(set(groups), key=lambda g: (-int((groups == g).sum()), g))
        stats = []
        for group in labels:
            mask = groups == group
            stats.append((group, mask, approved_traditional[mask].mean(), approved_credential[mask].mean()))
        best_trad = max((s[2] for s in stats if s[1].sum() >= SMALL_GROUP), default=max(s[2] for s in stats))
        best_cred = max((s[3] for s in stats if s[1].sum() >= SMALL_GROUP), default=max(s[3] for s in stats))
        for group, mask, rate_trad, rate_cred in stats:
            n, defaults = int(mask.sum()), int(y[mask].sum())
            low, high = wilson_interval(defaults, n)
            air_trad = float(rate_trad / best_trad) if best_trad > 0 else None
            air_cred = float(rate_cred / best_cred) if best_cred > 0 else None
            small = n < SMALL_GROUP
            rows.append(FairnessRow(
                attribute=attribute, group=str(group), applicants=n, default_rate=defaults / n, default_ci_low=low,
                default_ci_high=high, approval_rate_traditional=float(rate_trad),
                approval_rate_credential=float(rate_cred), air_traditional=air_trad, air_credential=air_cred,
                flagged=(not small and air_cred is not None and air_cred < FOUR_FIFTHS), small_group=small))
    return rows
