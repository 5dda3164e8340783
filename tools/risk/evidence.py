"""How much of its table increase a credential earns, from the evidence that it predicts repayment.

The evidence is a study's adjusted effect per credential type and level (log-odds of default against holding
no credential, with a 95% interval, and the holders it rests on), kept in
knowledge/policy/credential_evidence.yaml and written by `credlift study BOOK --evidence-out FILE`. The rule,
with its numbers in knowledge/policy/parameters.yaml (`evidence`):

- a level resting on fewer than `min_holders` holders earns nothing (a thin cell is no evidence);
- otherwise the conservative end of its interval (the upper bound of the log-odds, nearest to "no effect")
  decides: at or above 0 it earns nothing; at or below -`full_credit_log_odds` the full table amount; in
  between, that share of it (whole percent, rounded down);
- a higher level of the same credential earns at least what the level below it earns, when both rest on
  enough holders (a CET score of 550+ is also one of 425+; a master's degree holder also holds a bachelor's).
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, Field

from credlift.tools.policy_parameters import PARAMETERS_FILE, EvidenceRule, load_policy_parameters

EVIDENCE_FILE = PARAMETERS_FILE.with_name("credential_evidence.yaml")


class LevelEvidence(BaseModel):
    level: str
    holders: int
    log_odds: float
    ci_low: float
    ci_high: float


class CredentialEvidence(BaseModel):
    source: str
    reference: str = "no credential"
    types: dict[str, list[LevelEvidence]] = Field(description="per type, its levels from lowest to highest")


class EvidenceShare(BaseModel):
    """What the evidence lets a credential earn: `percent` of its table increase, and why."""
    percent: int
    holders: int = 0
    bound: float | None = Field(default=None, description="upper 95% bound of the log-odds used (own or pooled)")
    pooled_from: str | None = Field(default=None, description="the lower level whose evidence was used")
    why: str = Field(description="full | partial | thin_cell | no_effect | no_evidence")


@lru_cache(maxsize=4)
def load_credential_evidence(path: Path = EVIDENCE_FILE) -> CredentialEvidence:
    return CredentialEvidence.model_validate(yaml.safe_load(Path(path).read_text(encoding="utf-8")))


def evidence_share(credential_type: str, level: str, evidence: CredentialEvidence | None = None,
                   rule: EvidenceRule | None = None) -> EvidenceShare:
    evidence = evidence or load_credential_evidence()
    rule = rule or load_policy_parameters().evidence
    levels = evidence.types.get(credential_type, [])
    index = next((i for i, e in enumerate(levels) if e.level == level), None)
    if index is None:
        return EvidenceShare(percent=0, why="no_evidence")
    own = levels[index]
    if own.holders < rule.min_holders:
        return EvidenceShare(percent=0, holders=own.holders, bound=own.ci_high, why="thin_cell")
    best, source = own, None
    for lower in levels[:index]:                      # a higher level earns at least what a lower one earns
        if lower.holders >= rule.min_holders and lower.ci_high < best.ci_high:
            best, source = lower, lower.level
    if best.ci_high >= 0:
        return EvidenceShare(percent=0, holders=own.holders, bound=best.ci_high, pooled_from=source, why="no_effect")
    percent = min(100, int(100 * (-best.ci_high) / rule.full_credit_log_odds + 1e-9))
    return EvidenceShare(percent=percent, holders=best.holders, bound=best.ci_high, pooled_from=source,
                         why="full" if percent == 100 else "partial")


def evidence_from_study(report, source: str) -> CredentialEvidence:
    """The evidence file's content from a StudyReport of a book with the documented columns."""
    types: dict[str, list[LevelEvidence]] = {}
    for effect in report.adjusted_effects:
        types.setdefault(effect.credential_type, []).append(LevelEvidence(
            level=effect.credential_level, holders=effect.holders, log_odds=round(effect.log_odds, 4),
            ci_low=round(effect.ci_low, 4), ci_high=round(effect.ci_high, 4)))
    return CredentialEvidence(source=source, types=types)


def write_evidence(evidence: CredentialEvidence, path: Path) -> Path:
    header = ("# Written by `credlift study BOOK --evidence-out FILE`: each credential level's adjusted effect on\n"
              "# default (log-odds against no credential, 95% interval) and the holders it rests on. The policy engine\n"
              "# turns it into the share of the table increase a credential earns (tools/risk/evidence.py).\n")
    Path(path).write_text(header + yaml.safe_dump(evidence.model_dump(), sort_keys=False, allow_unicode=True),
                          encoding="utf-8")
    return Path(path)
