"""Inclusion: how many more thin-file applicants a credential-aware policy approves than a traditional-only one.

Both policies see the same out-of-time thin-file applicants and apply the same financial-health rules
(no recent delinquency, utilisation under the cap). The traditional-only policy approves when the
traditional-data scorecard's PD is within the policy's approving bands; the credential-aware policy uses the
scorecard that also sees the credential. Two comparisons are reported:
- same cutoff: both approve up to the last PD band that still gives an increase (RISK-PD);
- matched risk: the credential-aware policy approves the most applicants (lowest PD first) whose expected
  default rate stays at or below the traditional policy's.
Expected default rate = mean PD of the approved under the credential-aware model (the better-informed
estimate, applied to both); observed = their realised 12-month default rate in the book.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field

from credlift.tools.policy_parameters import load_policy_parameters
from credlift.tools.risk.features import TRADITIONAL_FEATURES, book_features
from credlift.tools.risk.scorecard import Scorecard


class PolicyOutcome(BaseModel):
    name: str
    approved: int
    approval_rate: float
    expected_default_rate: float
    observed_default_rate: float
    pd_cutoff: float


class InclusionResult(BaseModel):
    thin_file_applicants: int = Field(description="applicants compared (the population below)")
    population: str = "thin-file applicants"
    traditional: PolicyOutcome
    credential_same_cutoff: PolicyOutcome
    credential_matched_risk: PolicyOutcome
    uplift_same_cutoff: float
    uplift_matched_risk: float


def _outcome(name: str, approved: np.ndarray, pd_best: np.ndarray, y: np.ndarray, cutoff: float) -> PolicyOutcome:
    count = int(approved.sum())
    return PolicyOutcome(name=name, approved=count, approval_rate=count / max(len(approved), 1),
                         expected_default_rate=float(pd_best[approved].mean()) if count else 0.0,
                         observed_default_rate=float(y[approved].mean()) if count else 0.0, pd_cutoff=cutoff)


def compare_policies(train: pd.DataFrame, test: pd.DataFrame, credential_model: Scorecard | None = None) -> InclusionResult:
    params = load_policy_parameters()
    x_train, x_test = book_features(train), book_features(test)
    y_train = train["default_12m"].to_numpy(int)
    if credential_model is None:
        credential_model = Scorecard().fit(x_train, y_train)
    traditional_model = Scorecard(features=TRADITIONAL_FEATURES).fit(x_train, y_train)

    thin = (x_test["thin_file"] == "yes").to_numpy()
    healthy = ((x_test["delinquent_last_12m"] <= params.max_delinquencies_last_12m)
               & (x_test["utilisation"] <= params.max_utilisation_for_increase)).to_numpy()
    eligible = thin & healthy
    pd_credential = credential_model.predict_proba(x_test)[:, 1]
    pd_traditional = traditional_model.predict_proba(x_test)[:, 1]
    cutoff = max(b.max_pd for b in params.pd_scaling if b.factor > 0)

    return compare_at_matched_risk(pd_traditional[thin], pd_credential[thin], test["default_12m"].to_numpy(int)[thin],
                                   eligible[thin], cutoff)


def compare_at_matched_risk(pd_traditional: np.ndarray, pd_credential: np.ndarray, y: np.ndarray,
                            eligible: np.ndarray, cutoff: float,
                            population: str = "thin-file applicants") -> InclusionResult:
    """The three policies on one population (arrays aligned row by row): traditional-only up to `cutoff`,
    credential-aware up to the same cutoff, and credential-aware at a matched expected default rate."""
    pd_best = np.asarray(pd_credential, dtype=float)
    eligible = np.asarray(eligible, dtype=bool)
    traditional = (np.asarray(pd_traditional) <= cutoff) & eligible
    same_cutoff = (pd_best <= cutoff) & eligible
    target = float(pd_best[traditional].mean()) if traditional.any() else 0.0
    # lowest PD first while the running mean PD stays at or below the traditional policy's
    candidates = np.where(eligible)[0]
    ordered = candidates[np.argsort(pd_best[candidates], kind="stable")]
    running = np.cumsum(pd_best[ordered]) / np.arange(1, len(ordered) + 1)
    take = int((running <= target + 1e-12).sum())
    matched = np.zeros(len(pd_best), dtype=bool)
    matched[ordered[:take]] = True
    matched_cutoff = float(pd_best[ordered[take - 1]]) if take else 0.0

    base = max(int(traditional.sum()), 1)
    return InclusionResult(
        thin_file_applicants=int(len(pd_best)), population=population,
        traditional=_outcome("traditional data only", traditional, pd_best, y, cutoff),
        credential_same_cutoff=_outcome("credential-aware, same PD cutoff", same_cutoff, pd_best, y, cutoff),
        credential_matched_risk=_outcome("credential-aware, matched expected default rate", matched, pd_best, y,
                                         matched_cutoff),
        uplift_same_cutoff=int(same_cutoff.sum()) / base - 1.0,
        uplift_matched_risk=int(matched.sum()) / base - 1.0,
    )


def approvals(result: InclusionResult, pd_traditional: np.ndarray, pd_credential: np.ndarray,
              eligible: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Who each policy approves (traditional, credential-aware at matched risk), rebuilt from the result's
    cutoffs: ties at the matched cutoff resolve as in compare_at_matched_risk (lowest PD first, stable)."""
    eligible = np.asarray(eligible, dtype=bool)
    traditional = (np.asarray(pd_traditional) <= result.traditional.pd_cutoff) & eligible
    candidates = np.where(eligible)[0]
    ordered = candidates[np.argsort(np.asarray(pd_credential)[candidates], kind="stable")]
    matched = np.zeros(len(eligible), dtype=bool)
    matched[ordered[:result.credential_matched_risk.approved]] = True
    return traditional, matched
