"""The approval line and the risk bands from a stated rule, and the scorecard's stability over seeds.

Rule (docs/risk-line.md):
- line: the break-even PD of the product (tools/risk/appetite.py: margin / (margin + LGD) from parameters.yaml
  `risk_appetite`), rounded down to 0.1 pp;
- bands: among the out-of-time applications the policy could approve (a credential that earns something under
  the evidence rule and the CET line, no recent delinquency, utilisation within the cap, PD at or under the
  line), band A holds the lowest third of PDs, B the middle third, C the rest up to the line; the edges are the
  tertiles rounded to 0.1 pp. The factors (A 1.0, B 0.8, C 0.5) stay the policy's.
Approval rate and expected default rate at the line are measured on the same out-of-time applications.
"""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field

from credlift.domain.applicant import ApplicantProfile
from credlift.domain.credential import CredentialRecord
from credlift.tools.policy_parameters import PdBand, PolicyParameters, load_policy_parameters
from credlift.tools.risk.appetite import approval_line, break_even_pd, line_from_appetite, net_margin
from credlift.tools.risk.evidence import evidence_share
from credlift.tools.risk.features import book_features
from credlift.tools.risk.scorecard import Scorecard

BAND_STEP = 0.001
# credentials the stability table scores on every demo account (the levels the dialogues use)
DEMO_CREDENTIALS: tuple[tuple[str, dict[str, object]], ...] = (
    ("none", {}),
    ("cet4", {"total_score": 498}), ("cet6", {"total_score": 561}),
    ("graduation", {"level": "bachelor"}), ("graduation", {"level": "master"}),
    ("degree", {"degree_level": "bachelor"}), ("degree", {"degree_level": "master"}),
    ("vocational", {"skill_level": "3"}), ("award", {"award_scope": "national"}),
    ("award", {"award_scope": "international"}), ("qualification", {"qualification_level": "intermediate"}),
)


class PolicyFigures(BaseModel):
    population: str
    applications: int
    eligible: int = Field(description="pass every rule but the PD line")
    approved: int
    approval_rate: float = Field(description="approved / applications")
    approval_rate_of_eligible: float
    expected_default_rate: float = Field(description="mean PD of the approved")
    observed_default_rate: float = Field(description="their realised 12-month default rate")


class LineDerivation(BaseModel):
    margin: float
    loss_given_default: float
    break_even_pd: float
    line: float
    tertiles: list[float]
    bands: list[dict]
    figures: list[PolicyFigures]
    by_band: list[dict]


def _level_earns(ctype: str, level: str, params: PolicyParameters) -> bool:
    if ctype == "none" or not level:
        return False
    if ctype in ("cet4", "cet6") and level == "below_425":
        return False
    return evidence_share(ctype, level, rule=params.evidence).percent > 0


def eligible_mask(book: pd.DataFrame, params: PolicyParameters | None = None) -> np.ndarray:
    """Applications that pass every policy rule the book can show except the PD line."""
    params = params or load_policy_parameters()
    level = book["credential_level"].fillna("").astype(str).str.replace(r"\.0$", "", regex=True)
    pairs = pd.Series(list(zip(book["credential_type"].astype(str), level)), index=book.index)
    earns = {pair: _level_earns(*pair, params) for pair in set(pairs)}
    return (pairs.map(earns).to_numpy(bool)
            & (book["utilisation"].to_numpy(float) <= params.max_utilisation_for_increase)
            & (book["delinquent_last_12m"].to_numpy(float) <= params.max_delinquencies_last_12m))


def _floor(value: float, step: float = BAND_STEP) -> float:
    return round(np.floor(value / step + 1e-9) * step, 6)


def _round(value: float, step: float = BAND_STEP) -> float:
    return round(round(value / step) * step, 6)


def derive_bands(pd_eligible: np.ndarray, line: float, factors: tuple[float, ...] = (1.0, 0.8, 0.5)
                 ) -> tuple[list[float], list[PdBand]]:
    """Tertiles of the approvable PDs (at or under the line) -> bands A, B, C up to the line, then D."""
    under = pd_eligible[pd_eligible <= line]
    tertiles = [float(q) for q in np.quantile(under, [1 / 3, 2 / 3])]
    edges = [_round(tertiles[0]), _round(tertiles[1]), line]
    bands = [PdBand(max_pd=e, factor=f, band=b) for e, f, b in zip(edges, factors, "ABC")]
    bands.append(PdBand(max_pd=1.0, factor=0.0, band="D"))
    return tertiles, bands


def _figures(name: str, mask: np.ndarray, eligible: np.ndarray, pd_: np.ndarray, y: np.ndarray,
             line: float) -> PolicyFigures:
    approved = mask & eligible & (pd_ <= line)
    n, n_eligible, n_approved = int(mask.sum()), int((mask & eligible).sum()), int(approved.sum())
    return PolicyFigures(
        population=name, applications=n, eligible=n_eligible, approved=n_approved,
        approval_rate=round(n_approved / max(n, 1), 4),
        approval_rate_of_eligible=round(n_approved / max(n_eligible, 1), 4),
        expected_default_rate=round(float(pd_[approved].mean()) if n_approved else 0.0, 4),
        observed_default_rate=round(float(y[approved].mean()) if n_approved else 0.0, 4))


def derive_line(model: Scorecard, test: pd.DataFrame, params: PolicyParameters | None = None) -> LineDerivation:
    """The line and bands of the rule above, and the approval figures at the line, on out-of-time applications."""
    params = params or load_policy_parameters()
    appetite = params.risk_appetite
    line = line_from_appetite(appetite)
    pd_ = model.predict_proba(book_features(test))[:, 1]
    y = test["default_12m"].to_numpy(int)
    eligible = eligible_mask(test, params)
    factors = tuple(b.factor for b in params.pd_scaling if b.factor > 0)
    tertiles, bands = derive_bands(pd_[eligible], line, factors if len(factors) == 3 else (1.0, 0.8, 0.5))
    thin = test["thin_file"].astype(str).str.lower().isin(["true", "1", "yes"]).to_numpy()
    everyone = np.ones(len(test), dtype=bool)
    holders = test["credential_type"].astype(str).to_numpy() != "none"
    figures = [_figures("all applications", everyone, eligible, pd_, y, line),
               _figures("applications with a credential", holders, eligible, pd_, y, line),
               _figures("thin-file applications with a credential", holders & thin, eligible, pd_, y, line),
               _figures("full-file applications with a credential", holders & ~thin, eligible, pd_, y, line)]
    by_band, lower = [], 0.0
    for band in bands:
        in_band = eligible & (pd_ > lower) & (pd_ <= band.max_pd)
        by_band.append({"band": band.band, "max_pd": band.max_pd, "factor": band.factor,
                        "applications": int(in_band.sum()),
                        "expected_default_rate": round(float(pd_[in_band].mean()), 4) if in_band.any() else None,
                        "observed_default_rate": round(float(y[in_band].mean()), 4) if in_band.any() else None})
        lower = band.max_pd
    return LineDerivation(margin=round(net_margin(appetite), 6), loss_given_default=appetite.loss_given_default,
                          break_even_pd=round(break_even_pd(appetite), 6), line=line,
                          tertiles=[round(t, 5) for t in tertiles], bands=[b.model_dump() for b in bands],
                          figures=figures, by_band=by_band)


def demo_pds(model: Scorecard, accounts: list[dict], today: date, line: float) -> list[dict]:
    """PD of each demo account with each DEMO_CREDENTIALS credential (issued a year before `today`)."""
    issued = date(today.year - 1, today.month, 1).isoformat()
    out = []
    for account in accounts:
        profile = ApplicantProfile.model_validate(account)
        row = {"account_id": profile.account_id, "pd": {}}
        for ctype, fields in DEMO_CREDENTIALS:
            credential = None if ctype == "none" else CredentialRecord(type=ctype, fields={**fields, "issue_date": issued})
            key = ctype if not fields else f"{ctype}:{next(iter(fields.values()))}"
            row["pd"][key] = round(model.score(profile, credential, today).probability_of_default, 4)
        row["under_line"] = {k: v <= line for k, v in row["pd"].items()}
        out.append(row)
    return out


def seed_summary(seed: int, card: dict, derivation: LineDerivation, demo: list[dict]) -> dict:
    """One seed's row of the stability table: out-of-time metrics, IV and coefficient per segment and feature,
    credential WoE per cell of the thin-file segment, the bands the rule derives, and the demo PDs."""
    metrics = card["metrics_out_of_time"]
    return {
        "seed": seed, "auc": metrics["auc"], "ks": metrics["ks"],
        "max_calibration_error_pp": metrics["max_calibration_error_pp"],
        "segments": {name: {"intercept": seg["intercept"],
                            "features": {f: {"iv": v["iv"], "coefficient": seg["coefficients"][f]}
                                         for f, v in seg["features"].items()}}
                     for name, seg in card["segments"].items()},
        "line": derivation.line, "tertiles": derivation.tertiles,
        "bands": [{"band": b["band"], "max_pd": b["max_pd"]} for b in derivation.bands],
        "figures": [f.model_dump() for f in derivation.figures],
        "demo": demo,
    }


def credential_woe(model: Scorecard, segment: str = "yes") -> dict[str, float]:
    """The credential feature's log-odds contribution (coefficient x WoE) per cell, in one segment."""
    seg = model.segments_[segment]
    index = list(seg.features).index("credential")
    return {k: round(float(seg.coef_[index] * v), 4) for k, v in seg.binnings_["credential"].category_woe.items()
            if "|old" not in k}


def stability(seeds: list[int], rows: int, accounts: list[dict], today: date, effects: str = "evidence") -> dict:
    """Train on the generated book of each seed and summarise (the same rule on every seed)."""
    from credlift.training.risk.book_io import out_of_time_split
    from credlift.training.risk.loanbook import generate_loan_book
    from credlift.training.risk.train import train_scorecard

    out = []
    for seed in seeds:
        book = generate_loan_book(rows=rows, seed=seed, effects=effects)
        model, card = train_scorecard(book, source=f"credlift loanbook generate --rows {rows} --seed {seed} "
                                                   f"--effects {effects}")
        _, test = out_of_time_split(book, 6)
        derivation = derive_line(model, test)
        summary = seed_summary(seed, card, derivation, demo_pds(model, accounts, today, derivation.line))
        summary["credential_log_odds_thin"] = credential_woe(model, "yes")
        out.append(summary)
    return {"rows": rows, "effects": effects, "seeds": out, "line": approval_line()}
