"""SFT data for the risk LLM: loan-book applications -> (features, credential, retrieved clauses) -> RiskAssessment.

Each loan-book row with a credential becomes one case: an applicant profile (pseudonymous: no name, no ID
number), a credential record, the scorecard's RiskScore, the clauses retrieval returns for the risk question,
the deterministic reasoner's assessment (the target) and the policy engine's decision with that assessment.
The prompt is rendered by `credlift.tools.risk.llm_reasoner.render_risk_messages`, the one used when serving,
in zh and en. Every target is checked with the serving validator, so the model is never taught an answer the
agent would discard. Splits are by application month: the latest months are the test set (out of time).
"""
from __future__ import annotations

import hashlib
import json
import logging
from collections import Counter
from dataclasses import dataclass
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field

from credlift.domain.applicant import ApplicantProfile
from credlift.domain.authenticity import AuthenticityReport
from credlift.domain.credential import CredentialRecord, ValidationReport
from credlift.domain.decision import LimitDecision
from credlift.domain.policy import RetrievedClause
from credlift.domain.risk import RiskAssessment, RiskScore
from credlift.tools.policy_parameters import load_policy_parameters
from credlift.tools.risk.llm_reasoner import (ANSWER_FIELDS, MAX_CITED_CLAUSES, MAX_FACTORS, RISK_CLAUSES_K, AnswerRejected,
                                              pd_band, render_risk_messages, risk_retrieval_query, validate_answer)

logger = logging.getLogger(__name__)

Split = Literal["train", "validation", "test"]
Language = Literal["zh", "en"]
SPLITS: tuple[Split, ...] = ("train", "validation", "test")
QUALIFICATION_NAME = "会计专业技术资格"


class ChatTurn(BaseModel):
    role: Literal["system", "user", "assistant"]
    content: str


class SftExample(BaseModel):
    """One supervised example plus everything the evaluation needs to replay the policy engine on it."""
    example_id: str
    split: Split
    application_month: str = Field(description="YYYY-MM; the split key")
    as_of: date
    lang: Language
    messages: list[ChatTurn] = Field(description="system, user, assistant (the target as JSON)")
    target: RiskAssessment
    retrieved_clause_ids: list[str]
    applicant: ApplicantProfile = Field(description="pseudonymous: no name, no ID number")
    credential: CredentialRecord
    risk_score: RiskScore
    reference_decision: str = Field(description="the policy engine's decision kind with the target assessment")
    reference_increase: int
    defaulted_12m: bool


class SplitPlan(BaseModel):
    months: dict[Split, list[str]]

    def split_of(self, month: str) -> Split:
        for split, months in self.months.items():
            if month in months:
                return split
        raise KeyError(month)


class SftManifest(BaseModel):
    policy_version: str
    scorecard_version: str
    loan_book_rows: int
    languages: list[Language]
    seed: int
    plan: SplitPlan
    counts: dict[Split, int]
    dropped: dict[str, int] = Field(default_factory=dict, description="reason -> cases not turned into examples")
    risk_levels: dict[str, int] = Field(default_factory=dict)
    risk_levels_by_split: dict[str, dict[str, int]] = Field(default_factory=dict)
    pd_bands_by_split: dict[str, dict[str, int]] = Field(default_factory=dict)
    decisions: dict[str, int] = Field(default_factory=dict)
    balanced_train: bool = Field(default=False, description="train examples down-sampled to equal counts per risk "
                                 "level (validation and test keep the book's own mix)")
    held_out_accounts_dropped: int = Field(default=0, description="train/validation examples dropped because their "
                                           "account also has a test case (held out by case, not only by month)")
    accounts_in_two_splits: int = Field(default=0, description="accounts with examples in more than one split after "
                                        "the drop (0: no case leaks)")
    files: dict[str, str] = Field(default_factory=dict, description="file name -> sha256")


def plan_time_splits(months: list[str], validation_months: int = 3, test_months: int = 3) -> SplitPlan:
    """Latest months are test, the ones before validation, the rest train: no month is in two splits."""
    ordered = sorted(set(months))
    if len(ordered) < validation_months + test_months + 1:
        raise ValueError(f"{len(ordered)} months cannot make train, {validation_months} validation and "
                         f"{test_months} test months")
    cut_test = len(ordered) - test_months
    cut_validation = cut_test - validation_months
    return SplitPlan(months={"train": ordered[:cut_validation], "validation": ordered[cut_validation:cut_test],
                             "test": ordered[cut_test:]})


def application_date(month: str) -> date:
    """Mid-month: the loan book records the month only."""
    year, mm = month.split("-")
    return date(int(year), int(mm), 15)


def applicant_from_row(row: pd.Series) -> ApplicantProfile:
    return ApplicantProfile(
        account_id=f"book-{int(row['applicant_id'])}", name="", id_number="",
        current_limit=int(row["current_limit"]), utilisation=float(row["utilisation"]),
        months_on_book=int(row["months_on_book"]), delinquent_last_12m=int(row["delinquent_last_12m"]),
        income_band=str(row["income_band"]), thin_file=bool(row["thin_file"]))


def _exam_session(issued: date) -> str:
    """CET sits in June and December: the last session on or before the issue date."""
    if issued.month >= 12:
        return f"{issued.year:04d}-12"
    if issued.month >= 6:
        return f"{issued.year:04d}-06"
    return f"{issued.year - 1:04d}-12"


def credential_from_row(row: pd.Series, as_of: date) -> CredentialRecord:
    """The typed record a verified credential of this loan-book row would have produced."""
    ctype = str(row["credential_type"])
    level = str(row["credential_level"]).removesuffix(".0")
    age = float(row["credential_age_years"]) if pd.notna(row["credential_age_years"]) else 0.0
    issued = as_of - timedelta(days=round(age * 365.25))
    fields: dict[str, str | int | float | None] = {"issue_date": issued.isoformat()}
    if ctype in ("cet4", "cet6"):
        session = _exam_session(issued)
        fields.update(total_score=int(row["credential_score"]), exam_session=session, issue_date=session)
    elif ctype == "graduation":
        fields.update(level=level, study_end=issued.strftime("%Y-%m"))
    elif ctype == "degree":
        fields.update(degree_level=level)
    elif ctype == "vocational":
        fields.update(skill_level=level)
    elif ctype == "award":
        fields.update(award_scope=level)
    elif ctype == "qualification":
        fields.update(qualification_name=QUALIFICATION_NAME, qualification_level=level)
    return CredentialRecord(type=ctype, fields=fields, confidence={k: 1.0 for k in fields}, backend="loanbook")


def verified_evidence() -> tuple[ValidationReport, AuthenticityReport]:
    """Booked loans passed document checks, so their cases carry clean validation and authenticity."""
    return (ValidationReport(registry_status="verified"),
            AuthenticityReport(verdict="authentic", score=0.02, model_version="loanbook"))


@dataclass(frozen=True)
class PolicyStack:
    """The callables the builder runs; the defaults are credlift's own scorecard, reasoner, engine and retriever."""
    score: Callable[[ApplicantProfile, CredentialRecord, date], RiskScore]
    reason: Callable[[ApplicantProfile, CredentialRecord, RiskScore, list[RetrievedClause]], RiskAssessment]
    decide: Callable[..., LimitDecision]
    retrieve: Callable[[str, str, int], list[RetrievedClause]]
    scorecard_version: str = ""

    @classmethod
    def default(cls) -> "PolicyStack":
        from credlift.knowledge import retrieve
        from credlift.tools.limits import decide
        from credlift.tools.risk.reasoning import assess_risk
        from credlift.tools.risk.scorecard import load_default_scorecard

        scorecard = load_default_scorecard()

        def score(applicant: ApplicantProfile, credential: CredentialRecord, as_of: date) -> RiskScore:
            return scorecard.score(applicant, credential, today=as_of)

        return cls(score=score, reason=assess_risk, decide=decide,
                   retrieve=lambda query, lang, k: retrieve(query, lang=lang, k=k),
                   scorecard_version=str(getattr(scorecard, "version", "") or getattr(scorecard, "model_version", "")))


class SftBuilder:
    """Turns a loan book into SFT examples; `build` returns them with a manifest, `write` writes the JSONL splits."""

    def __init__(self, stack: PolicyStack | None = None, languages: tuple[Language, ...] = ("zh", "en"),
                 clauses_k: int = RISK_CLAUSES_K, validation_months: int = 3, test_months: int = 3, seed: int = 0,
                 balance_train: bool = False):
        self.stack = stack
        self.balance_train = balance_train
        self.languages = languages
        self.clauses_k = clauses_k
        self.validation_months = validation_months
        self.test_months = test_months
        self.seed = seed
        self._retrieval_cache: dict[tuple[str, str], list[RetrievedClause]] = {}

    def sample_cases(self, book: pd.DataFrame, cases: int) -> pd.DataFrame:
        """Rows with a credential, sampled evenly over months so every split is represented."""
        with_credential = book[book["credential_type"].astype(str) != "none"]
        per_month = max(1, cases // max(with_credential["application_month"].nunique(), 1))
        rng = np.random.default_rng(self.seed)
        picks = [group.iloc[rng.permutation(len(group))[:per_month]]
                 for _, group in with_credential.groupby("application_month", sort=True)]
        return pd.concat(picks).sort_values(["application_month", "applicant_id"]) if picks else with_credential

    def _clauses(self, query: str, lang: str) -> list[RetrievedClause]:
        key = (query, lang)
        if key not in self._retrieval_cache:
            self._retrieval_cache[key] = self.stack.retrieve(query, lang, self.clauses_k)
        return self._retrieval_cache[key]

    def build(self, book: pd.DataFrame, cases: int = 1000) -> tuple[list[SftExample], SftManifest]:
        self.stack = self.stack or PolicyStack.default()
        params = load_policy_parameters()
        plan = plan_time_splits(book["application_month"].astype(str).tolist(), self.validation_months,
                                self.test_months)
        validation, authenticity = verified_evidence()
        examples: list[SftExample] = []
        dropped: Counter[str] = Counter()
        for _, row in self.sample_cases(book, cases).iterrows():
            month = str(row["application_month"])
            as_of = application_date(month)
            applicant = applicant_from_row(row)
            credential = credential_from_row(row, as_of)
            risk_score = self.stack.score(applicant, credential, as_of)
            for lang in self.languages:
                clauses = self._clauses(risk_retrieval_query(applicant, credential, lang), lang)
                target = fit_answer_limits(localise_target(
                    self.stack.reason(applicant, credential, risk_score, clauses), lang, applicant, credential,
                    risk_score))
                answer = target_answer(target)
                try:
                    # The serving validator is the gate: a target it would discard must not be taught.
                    validate_answer(answer, [c.clause.id for c in clauses], risk_score, params)
                except AnswerRejected as rejection:
                    dropped[rejection.code] += 1
                    continue
                decision = self.stack.decide(applicant, credential, validation, authenticity, risk_score,
                                             assessment=target, today=as_of)
                prompt = render_risk_messages(applicant, credential, risk_score, clauses, lang, as_of, params)
                examples.append(SftExample(
                    example_id=f"{applicant.account_id}-{lang}", split=plan.split_of(month),
                    application_month=month, as_of=as_of, lang=lang,
                    messages=[ChatTurn(**m) for m in prompt] + [ChatTurn(role="assistant", content=answer)],
                    target=target, retrieved_clause_ids=[c.clause.id for c in clauses], applicant=applicant,
                    credential=credential, risk_score=risk_score, reference_decision=decision.kind,
                    reference_increase=decision.increase, defaulted_12m=bool(row["default_12m"])))
        examples, leaked = drop_held_out_accounts(examples)
        if self.balance_train:
            examples = balance_levels(examples, "train", self.seed)
        manifest = SftManifest(
            policy_version=params.policy_version, scorecard_version=self.stack.scorecard_version,
            loan_book_rows=len(book), languages=list(self.languages), seed=self.seed, plan=plan,
            counts={s: sum(e.split == s for e in examples) for s in SPLITS}, dropped=dict(dropped),
            risk_levels=dict(Counter(e.target.risk_level for e in examples)),
            risk_levels_by_split={s: dict(Counter(e.target.risk_level for e in examples if e.split == s))
                                  for s in SPLITS},
            pd_bands_by_split={s: dict(sorted(Counter(pd_band(e.risk_score.probability_of_default, params)
                                                      for e in examples if e.split == s).items()))
                               for s in SPLITS},
            decisions=dict(Counter(e.reference_decision for e in examples)),
            balanced_train=self.balance_train, held_out_accounts_dropped=leaked,
            accounts_in_two_splits=len(accounts_in_several_splits(examples)))
        return examples, manifest

    @staticmethod
    def write(examples: list[SftExample], manifest: SftManifest, out_dir: Path) -> SftManifest:
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        for split in SPLITS:
            path = out_dir / f"{split}.jsonl"
            path.write_text("".join(e.model_dump_json() + "\n" for e in examples if e.split == split),
                            encoding="utf-8")
            manifest.files[path.name] = hashlib.sha256(path.read_bytes()).hexdigest()
        (out_dir / "manifest.json").write_text(manifest.model_dump_json(indent=2), encoding="utf-8")
        return manifest


def fit_answer_limits(assessment: RiskAssessment) -> RiskAssessment:
    """The assessment cut to the answer's limits (llm_reasoner): the first MAX_FACTORS factors (the reasoner lists
    the credential and the caps first, then the scorecard's largest contributions) and citations. The target is
    what the model learns to write, and its length is what decoding costs."""
    return assessment.model_copy(update={"factors": assessment.factors[:MAX_FACTORS],
                                         "cited_clauses": assessment.cited_clauses[:MAX_CITED_CLAUSES]})


def accounts_in_several_splits(examples: list[SftExample]) -> set[str]:
    splits: dict[str, set[str]] = {}
    for example in examples:
        splits.setdefault(example.applicant.account_id, set()).add(example.split)
    return {account for account, seen in splits.items() if len(seen) > 1}


def drop_held_out_accounts(examples: list[SftExample]) -> tuple[list[SftExample], int]:
    """Train and validation examples of an account that also has a test case are dropped: a held-out case stays
    held out even where the book has the same applicant in an earlier month. Returns (kept, dropped)."""
    tested = {e.applicant.account_id for e in examples if e.split == "test"}
    kept = [e for e in examples if e.split == "test" or e.applicant.account_id not in tested]
    return kept, len(examples) - len(kept)


def balance_levels(examples: list[SftExample], split: Split, seed: int = 0) -> list[SftExample]:
    """`split`'s examples down-sampled to the same count per target risk level (the smallest level's count), so
    the band -> level rule is not drowned by the commonest level; other splits and the order are unchanged."""
    by_level: dict[str, list[int]] = {}
    for i, example in enumerate(examples):
        if example.split == split:
            by_level.setdefault(example.target.risk_level, []).append(i)
    if len(by_level) < 2:
        return examples
    per_level = min(len(indices) for indices in by_level.values())
    rng = np.random.default_rng(seed)
    keep = {i for indices in by_level.values() for i in rng.permutation(indices)[:per_level].tolist()}
    return [e for i, e in enumerate(examples) if e.split != split or i in keep]


def localise_target(assessment: RiskAssessment, lang: str, applicant: ApplicantProfile,
                    credential: CredentialRecord, risk_score: RiskScore) -> RiskAssessment:
    """The reasoner writes English; for zh examples its factor details and rationale are written in Chinese from
    the same numbers. Levels, factor names and directions, adjustment and citations are left exactly as they are."""
    if lang != "zh":
        return assessment
    from credlift.prompts import load

    texts = load("risk_target_texts", "zh")
    params = load_policy_parameters()
    factors = []
    for factor in assessment.factors:
        if factor.name == "credential":
            detail = texts["credential"].format(
                type_name=texts["type_names"].get(credential.type, credential.type),
                baseline_pd=f"{risk_score.baseline_probability_of_default:.1%}",
                pd=f"{risk_score.probability_of_default:.1%}")
        elif factor.name == "recent_delinquency":
            detail = texts["recent_delinquency"].format(count=applicant.delinquent_last_12m)
        elif factor.name == "high_utilisation":
            detail = texts["high_utilisation"].format(utilisation=f"{applicant.utilisation:.0%}",
                                                      max_utilisation=f"{params.max_utilisation_for_increase:.0%}")
        elif factor.name in risk_score.contributions:
            detail = texts["feature"].format(feature_name=texts["feature_names"].get(factor.name, factor.name),
                                             points=f"{risk_score.contributions[factor.name]:+.0f}")
        else:
            raise ValueError(f"no Chinese text for the risk factor {factor.name!r}")
        factors.append(factor.model_copy(update={"detail": detail}))
    rationale = texts["rationale"].format(
        model_version=risk_score.model_version or "", pd=f"{risk_score.probability_of_default:.1%}",
        band=risk_score.band or pd_band(risk_score.probability_of_default, params),
        level_name=texts["level_names"][assessment.risk_level])
    return assessment.model_copy(update={"factors": factors, "rationale": rationale})


def target_answer(assessment: RiskAssessment) -> str:
    """The assistant's answer: exactly the fields of the structured-output schema, compact JSON, in the schema's
    order (ANSWER_FIELDS: the rationale, which names the PD band and its level, before the level itself)."""
    payload = assessment.model_dump(include=set(ANSWER_FIELDS))
    ordered = {key: payload[key] for key in ANSWER_FIELDS}
    return json.dumps(ordered, ensure_ascii=False, separators=(",", ":"))


def read_examples(path: Path) -> list[SftExample]:
    return [SftExample.model_validate_json(line) for line in Path(path).read_text(encoding="utf-8").splitlines()
            if line.strip()]


def load_loan_book(path: Path | None = None, rows: int = 20_000, seed: int = 1) -> pd.DataFrame:
    """A lender's book (CSV or Parquet with the documented columns), or the synthetic one."""
    if path is None:
        from credlift.training.risk.loanbook import generate_loan_book

        return generate_loan_book(rows=rows, seed=seed)
    path = Path(path)
    return pd.read_parquet(path) if path.suffix.lower() in (".parquet", ".pq") else pd.read_csv(path)
