"""Renders the clause templates in knowledge/corpus/*.yaml into `Clause`s with the policy's real numbers.

Clause texts never contain a figure of their own: every number is a `{placeholder}` filled from
`knowledge/policy/parameters.yaml` (the numbers of the credit decision, also read by the policy engine) or
`knowledge/policy/service_terms.yaml` (review and appeal timings, retention, definitions). Change a value
there and the clause text changes with it; `PLACEHOLDERS` below is the documented mapping.
"""
from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable

import yaml
from pydantic import BaseModel, Field

from credlift.domain.policy import Clause
from credlift.tools.credentials import SPECS as CREDENTIAL_SPECS
from credlift.tools.policy_parameters import PolicyParameters, ScoreTier, load_policy_parameters

KNOWLEDGE_DIR = Path(__file__).resolve().parent
CORPUS_DIR = KNOWLEDGE_DIR / "corpus"
SERVICE_TERMS_FILE = KNOWLEDGE_DIR / "policy" / "service_terms.yaml"
PLACEHOLDER_PATTERN = re.compile(r"\{([a-z0-9_]+)\}")
REQUIRED_CLAUSE_FIELDS = ("id", "topic", "title_zh", "title_en", "text_zh", "text_en")
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: ten times faster


class CorpusError(ValueError):
    """The clause corpus is malformed: a missing field, a duplicate id or an unknown placeholder."""


class ManualReviewTerms(BaseModel):
    usual_business_days: int
    max_business_days: int


class AppealTerms(BaseModel):
    window_days: int
    answer_business_days: int


class AnswerTerms(BaseModel):
    answer_business_days: int


class RetentionTerms(BaseModel):
    upload_days: int
    chat_days: int
    decision_years: int


class Definitions(BaseModel):
    delinquency_days_past_due: int
    delinquency_window_months: int


class ServiceTerms(BaseModel):
    manual_review: ManualReviewTerms
    appeal: AppealTerms
    complaint: AnswerTerms
    data_requests: AnswerTerms
    retention: RetentionTerms
    definitions: Definitions = Field(description="terms the clauses define, e.g. what counts as a delinquency")


@lru_cache(maxsize=4)
def load_service_terms(path: Path = SERVICE_TERMS_FILE) -> ServiceTerms:
    return ServiceTerms.model_validate(yaml.safe_load(Path(path).read_text(encoding="utf-8")))


def _number(value: float) -> str:
    """3000 -> '3000', 0.5 -> '0.5': plain digits, no grouping, so a clause can be checked figure by figure."""
    return f"{round(float(value), 6):g}"


def _percent(fraction: float) -> str:
    return _number(round(fraction * 100, 4))


def _plural(count: int, unit: str) -> str:
    """'1 business day', '3 business days': English text stays grammatical whatever the configured value."""
    return f"{count} {unit}" if count == 1 else f"{count} {unit}s"


def _delinquency_rule(limit: int, lang: str) -> str:
    if lang == "zh":
        return "不得有任何逾期" if limit == 0 else f"逾期次数不得超过 {limit} 次"
    if limit == 0:
        return "must have no delinquency"
    return f"may have at most {limit} {'delinquency' if limit == 1 else 'delinquencies'}"


def _tier(tiers: list[ScoreTier], which: str) -> ScoreTier:
    ordered = sorted(tiers, key=lambda tier: tier.min_score, reverse=True)
    return ordered[0] if which == "high" else ordered[-1]


def _pd_band(parameters: PolicyParameters, band: str):
    for pd_band in parameters.pd_scaling:
        if pd_band.band == band:
            return pd_band
    raise CorpusError(f"pd_scaling has no band {band!r}")


@dataclass(frozen=True)
class Placeholder:
    name: str
    meaning: str
    value: Callable[[PolicyParameters, ServiceTerms], str]


def _increase(kind: str, key: str) -> Callable[[PolicyParameters, ServiceTerms], str]:
    return lambda p, t: _number(getattr(p.credential_increase, kind)[key])


def _cet(kind: str, which: str, attribute: str) -> Callable[[PolicyParameters, ServiceTerms], str]:
    return lambda p, t: _number(getattr(_tier(getattr(p.credential_increase, kind), which), attribute))


def _pd(band: str, attribute: str) -> Callable[[PolicyParameters, ServiceTerms], str]:
    return lambda p, t: _percent(getattr(_pd_band(p, band), attribute))


PLACEHOLDERS: tuple[Placeholder, ...] = (
    Placeholder("rounding_unit", "increases are multiples of this many yuan", lambda p, t: _number(p.rounding_unit)),
    # increase tables (credential_increase)
    *(Placeholder(f"{kind}_{which}_{attr}", f"{kind} {which} tier: {attr}", _cet(kind, which, attr))
      for kind in ("cet4", "cet6") for which in ("high", "base") for attr in ("min_score", "increase")),
    *(Placeholder(f"grad_{level}_increase", f"graduation certificate, level {level}", _increase("graduation", level))
      for level in ("doctorate", "master", "second_bachelor", "bachelor", "junior_college")),
    *(Placeholder(f"degree_{level}_increase", f"degree certificate, {level}", _increase("degree", level))
      for level in ("doctor", "master", "bachelor")),
    *(Placeholder(f"voc_level{level}_increase", f"vocational skill level {level}", _increase("vocational", level))
      for level in ("1", "2", "3", "4", "5")),
    *(Placeholder(f"award_{scope}_increase", f"competition award, {scope} scope", _increase("award", scope))
      for scope in ("international", "national", "provincial")),
    Placeholder("qualification_increase", "accounting professional qualification",
                lambda p, t: _number(p.credential_increase.qualification)),
    Placeholder("cet_pass_line", "CET score below which a report earns nothing", lambda p, t: _number(p.cet_pass_line)),
    Placeholder("recency_full_credit_years", "credentials younger than this count in full",
                lambda p, t: _number(p.recency.full_credit_years)),
    Placeholder("recency_older_percent", "older credentials count at this percentage",
                lambda p, t: _percent(p.recency.older_fraction)),
    Placeholder("evidence_min_holders", "a credential level studied on fewer holders earns nothing",
                lambda p, t: _number(p.evidence.min_holders)),
    Placeholder("evidence_full_credit_percent", "lower odds of default (at 95% confidence) that earn the full amount",
                lambda p, t: f"{(1 - math.exp(-p.evidence.full_credit_log_odds)) * 100:.0f}"),
    # caps (max_increase_per_type, financial health)
    *(Placeholder(f"max_{kind}_increase", f"maximum increase per application from a {kind} credential",
                  (lambda kind: lambda p, t: _number(p.max_increase_per_type[kind]))(kind))
      for kind in CREDENTIAL_SPECS),  # every registered credential type (tools/credentials)
    Placeholder("max_utilisation_percent", "no increase at or above this utilisation",
                lambda p, t: _percent(p.max_utilisation_for_increase)),
    Placeholder("max_delinquencies", "delinquencies in the look-back window that still allow an increase",
                lambda p, t: _number(p.max_delinquencies_last_12m)),
    Placeholder("delinquency_rule_zh", "the delinquency rule as a Chinese phrase",
                lambda p, t: _delinquency_rule(p.max_delinquencies_last_12m, "zh")),
    Placeholder("delinquency_rule_en", "the delinquency rule as an English phrase",
                lambda p, t: _delinquency_rule(p.max_delinquencies_last_12m, "en")),
    Placeholder("cooldown_days", "days between two increases", lambda p, t: _number(p.cooldown_days)),
    *(Placeholder(f"income_cap_{band}", f"total limit cap, {band} income band",
                  (lambda band: lambda p, t: _number(p.total_limit_cap_by_income[band]))(band))
      for band in ("low", "mid", "high")),
    # risk scaling (pd_scaling, llm_adjustment_bounds)
    *(Placeholder(f"pd_{band.lower()}_max_percent", f"upper probability of default of band {band}", _pd(band, "max_pd"))
      for band in ("A", "B", "C")),
    *(Placeholder(f"pd_{band.lower()}_factor_percent", f"share of the increase kept in band {band}", _pd(band, "factor"))
      for band in ("A", "B", "C", "D")),
    Placeholder("margin_percent", "net margin a drawn yuan earns a year (risk_appetite: yield - funding - operating)",
                lambda p, t: _percent(round(p.risk_appetite.interest_yield - p.risk_appetite.funding_cost
                                            - p.risk_appetite.operating_cost, 6))),
    Placeholder("lgd_percent", "share of a defaulted balance that is lost (risk_appetite.loss_given_default)",
                lambda p, t: _percent(p.risk_appetite.loss_given_default)),
    Placeholder("llm_adjust_down_percent", "largest reduction risk reasoning may propose",
                lambda p, t: _percent(abs(p.llm_adjustment_bounds.min))),
    Placeholder("llm_adjust_up_percent", "largest raise risk reasoning may propose",
                lambda p, t: _percent(p.llm_adjustment_bounds.max)),
    Placeholder("authenticity_refer_percent", "estimated probability of manipulation that sends a case to a person",
                lambda p, t: _percent(p.authenticity_refer_score)),
    Placeholder("issuer_verified_refer_percent", "probability of manipulation that sends an issuer-verified credential "
                "to a person", lambda p, t: _percent(p.issuer_verified_refer_score)),
    # service terms
    Placeholder("review_usual_days", "business days most manual reviews take",
                lambda p, t: _number(t.manual_review.usual_business_days)),
    Placeholder("review_max_days", "business days a manual review may take at most",
                lambda p, t: _number(t.manual_review.max_business_days)),
    Placeholder("review_usual_period_en", "business days most manual reviews take, in English words",
                lambda p, t: _plural(t.manual_review.usual_business_days, "business day")),
    Placeholder("review_max_period_en", "business days a manual review may take at most, in English words",
                lambda p, t: _plural(t.manual_review.max_business_days, "business day")),
    Placeholder("appeal_window_days", "days after a decision to lodge an appeal", lambda p, t: _number(t.appeal.window_days)),
    Placeholder("appeal_answer_days", "business days to answer an appeal",
                lambda p, t: _number(t.appeal.answer_business_days)),
    Placeholder("complaint_answer_days", "business days to answer a complaint",
                lambda p, t: _number(t.complaint.answer_business_days)),
    Placeholder("data_request_days", "business days to answer an access, correction or deletion request",
                lambda p, t: _number(t.data_requests.answer_business_days)),
    Placeholder("retain_upload_days", "days certificate photos are kept", lambda p, t: _number(t.retention.upload_days)),
    Placeholder("retain_chat_days", "days chat transcripts are kept", lambda p, t: _number(t.retention.chat_days)),
    Placeholder("retain_decision_years", "years decision records are kept", lambda p, t: _number(t.retention.decision_years)),
    Placeholder("delinquency_days", "days late that make a payment a delinquency",
                lambda p, t: _number(t.definitions.delinquency_days_past_due)),
    Placeholder("delinquency_months", "look-back window for delinquencies, months",
                lambda p, t: _number(t.definitions.delinquency_window_months)),
)



def _spec_placeholders() -> tuple[Placeholder, ...]:
    """Each registered type's amounts by the generic names: {<type>_<level>_increase} (by level),
    {<type>_increase} (flat), {<type>_<high|base>_...} come from the CET names above; the names above win."""
    taken = {placeholder.name for placeholder in PLACEHOLDERS}
    made: list[Placeholder] = []
    for spec in CREDENTIAL_SPECS.values():
        if spec.pricing == "by_level":
            made += [Placeholder(f"{spec.type}_{level}_increase", f"{spec.name_en}, {level}", _increase(spec.type, level))
                     for level in spec.level_names]
        elif spec.pricing == "flat":
            made.append(Placeholder(f"{spec.type}_increase", spec.name_en,
                                    (lambda kind: lambda p, t: _number(p.credential_increase.for_type(kind)))(spec.type)))
    return tuple(placeholder for placeholder in made if placeholder.name not in taken)


PLACEHOLDERS = PLACEHOLDERS + _spec_placeholders() + (
    Placeholder("weak_evidence_cap", "most a screenshot (weaker evidence) can add in one application",
                lambda p, t: _number(p.weak_evidence_cap)),
    Placeholder("type_caps_zh", "every registered credential type's Chinese name with the most it adds in one "
                "application (its cap; a screenshot's no more than weak_evidence_cap)",
                lambda p, t: "，".join(f"{spec.name_zh} {_number(p.type_cap(kind, spec.weaker_evidence))} 元"
                                      for kind, spec in CREDENTIAL_SPECS.items())),
    Placeholder("type_caps_en", "every registered credential type's English name with the most it adds in one "
                "application (its cap; a screenshot's no more than weak_evidence_cap)",
                lambda p, t: ", ".join(f"{spec.name_en} {_number(p.type_cap(kind, spec.weaker_evidence))} yuan"
                                       for kind, spec in CREDENTIAL_SPECS.items())),
    Placeholder("accepted_types_zh", "every registered credential type's Chinese name (tools/credentials)",
                lambda p, t: "、".join(spec.name_zh for spec in CREDENTIAL_SPECS.values())),
    Placeholder("accepted_types_en", "every registered credential type's English name (tools/credentials)",
                lambda p, t: "; ".join(spec.name_en for spec in CREDENTIAL_SPECS.values())),
)

# Upload limits are deployment settings (credlift.settings), enforced by intake; the clauses quote them.
SETTINGS_PLACEHOLDERS: dict[str, tuple[str, Callable[[object], str]]] = {
    "max_upload_mb": ("largest file accepted, MB", lambda s: _number(s.max_upload_mb)),
    "max_files_per_message": ("files accepted in one message", lambda s: _number(s.max_files_per_message)),
}


def placeholder_values(parameters: PolicyParameters | None = None, terms: ServiceTerms | None = None) -> dict[str, str]:
    """Every placeholder a clause may use, with its rendered value."""
    from credlift.settings import get_settings

    parameters = parameters or load_policy_parameters()
    terms = terms or load_service_terms()
    values = {placeholder.name: placeholder.value(parameters, terms) for placeholder in PLACEHOLDERS}
    settings = get_settings()
    values.update({name: value(settings) for name, (_, value) in SETTINGS_PLACEHOLDERS.items()})
    return values


def render_text(template: str, values: dict[str, str]) -> str:
    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise CorpusError(f"unknown placeholder {{{name}}}")
        return values[name]

    return PLACEHOLDER_PATTERN.sub(substitute, template)


def load_templates(corpus_dir: Path = CORPUS_DIR) -> list[dict]:
    """The clause templates of every corpus file, in file then listing order; ids unique."""
    templates: list[dict] = []
    seen: set[str] = set()
    for path in sorted(Path(corpus_dir).glob("*.yaml")):
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER) or {}
        for entry in document.get("clauses", []):
            missing = [name for name in REQUIRED_CLAUSE_FIELDS if not entry.get(name)]
            if missing:
                raise CorpusError(f"{path.name}: clause {entry.get('id', '?')} lacks {', '.join(missing)}")
            if entry["id"] in seen:
                raise CorpusError(f"{path.name}: duplicate clause id {entry['id']}")
            seen.add(entry["id"])
            templates.append(entry)
    return templates


def _join_lines(text: str, joiner: str) -> str:
    """YAML block text to one paragraph: Chinese lines join without a space, English lines with one."""
    return joiner.join(line.strip() for line in text.strip().splitlines() if line.strip())


def render_clauses(parameters: PolicyParameters | None = None, terms: ServiceTerms | None = None,
                   corpus_dir: Path = CORPUS_DIR) -> list[Clause]:
    parameters = parameters or load_policy_parameters()
    values = placeholder_values(parameters, terms)
    clauses = []
    for entry in load_templates(corpus_dir):
        clauses.append(Clause(
            id=entry["id"],
            topic=entry["topic"],
            title_zh=render_text(entry["title_zh"].strip(), values),
            title_en=render_text(entry["title_en"].strip(), values),
            text_zh=render_text(_join_lines(entry["text_zh"], ""), values),
            text_en=render_text(_join_lines(entry["text_en"], " "), values),
            tags=[str(tag) for tag in entry.get("tags", [])],
            policy_version=parameters.policy_version,
        ))
    return clauses


def corpus_fingerprint(clauses: list[Clause]) -> str:
    """Changes whenever a clause text, tag or a number behind it changes: the index rebuilds on it."""
    payload = json.dumps([clause.model_dump() for clause in clauses], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()
