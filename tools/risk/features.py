"""The scorecard's feature row, built the same way from a loan-book row and from an applicant with a credential.

Credential fields follow the canonical table of the team brief: CET `total_score`, graduation `level`, degree
`degree_level`, vocational `skill_level`, award `award_scope`, qualification `qualification_level`, and
`issue_date` (ISO, or `YYYY-MM`, or `YYYY`) for recency.
"""
from __future__ import annotations

import re
from datetime import date

import numpy as np
import pandas as pd

from credlift.domain.applicant import ApplicantProfile
from credlift.domain.credential import CREDENTIAL_TYPES, CredentialRecord
from credlift.tools.credentials import LEVEL_ALIASES, LEVEL_FIELDS, LEVEL_ORDER, spec_for
from credlift.tools.policy_parameters import load_policy_parameters

NUMERIC_FEATURES: tuple[str, ...] = ("utilisation", "months_on_book", "delinquent_last_12m")
CATEGORICAL_FEATURES: tuple[str, ...] = ("income_band", "thin_file", "credential")
FEATURES: tuple[str, ...] = NUMERIC_FEATURES + CATEGORICAL_FEATURES
TRADITIONAL_FEATURES: tuple[str, ...] = ("utilisation", "months_on_book", "delinquent_last_12m", "income_band",
                                         "thin_file")
NO_CREDENTIAL = "none"
# each credential type's levels from lowest to highest (the loan book's codes; the scorecard keeps their risk in
# this order)
CREDENTIAL_LEVEL_ORDER: dict[str, tuple[str, ...]] = LEVEL_ORDER  # each type's spec (tools/credentials)
# the field each type's level is read from, and printed level names a backend may return instead of the codes
_LEVEL_FIELD = LEVEL_FIELDS  # tools/credentials (CET levels come from the score, above)
_LEVEL_ALIASES = LEVEL_ALIASES
_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?")


def cet_level(total_score: float | int | None) -> str:
    """The CET level code of the loan book: below_425, 425-549, 550+ (the pass line comes from the policy)."""
    if total_score is None:
        return "unknown"
    pass_line = load_policy_parameters().cet_pass_line
    return "550+" if total_score >= 550 else ("425-549" if total_score >= pass_line else "below_425")


def credential_level(credential: CredentialRecord) -> str:
    """The level code a credential is tabulated under ('unknown' when the field is missing)."""
    spec = spec_for(credential.type)
    if spec is not None and spec.pricing == "score_tiers":  # CET: the level is the score's band
        score = credential.field(spec.level_field)
        try:
            return cet_level(float(score)) if score is not None else "unknown"
        except (TypeError, ValueError):
            return "unknown"
    value = credential.field(_LEVEL_FIELD.get(credential.type, ""))
    if value is None and spec is not None and spec.default_level:  # a one-level credential prints none
        return spec.default_level
    if value is None or value == "":
        return "unknown"
    text = str(value).strip().lower()
    text = _LEVEL_ALIASES.get(credential.type, {}).get(text, text)
    return text[:-2] if text.endswith(".0") and text[:-2].isdigit() else text  # a numeric level read as 3.0


def parse_issue_date(value: object) -> date | None:
    """ISO date, YYYY-MM (first of the month) or YYYY (1 July); None when it cannot be read."""
    if value is None:
        return None
    match = _DATE.match(str(value).strip())
    if not match:
        return None
    year, month, day = int(match.group(1)), match.group(2), match.group(3)
    try:
        if month is None:
            return date(year, 7, 1)
        return date(year, int(month), int(day) if day else 1)
    except ValueError:
        return None


def credential_age_years(credential: CredentialRecord, today: date) -> float | None:
    issued = parse_issue_date(credential.field("issue_date") or credential.field("exam_session"))
    if issued is None:
        return None
    return max(0.0, (today - issued).days / 365.25)


def credential_group(credential_type: str, level: str, age_years: float | None) -> str:
    """'none', or 'type:level', with '|old' when the credential is older than the policy's full-credit age."""
    if not credential_type or credential_type == NO_CREDENTIAL:
        return NO_CREDENTIAL
    old = age_years is not None and not np.isnan(age_years) and \
        age_years > load_policy_parameters().recency.full_credit_years
    return f"{credential_type}:{level}" + ("|old" if old else "")


def applicant_features(applicant: ApplicantProfile, credential: CredentialRecord | None,
                       today: date | None = None) -> dict[str, object]:
    """One feature row; credential None (or a type the policy does not accept) means 'none'."""
    today = today or date.today()
    level = credential_level(credential) if credential is not None else "unknown"
    if credential is None or credential.type not in CREDENTIAL_TYPES or level == "unknown":
        group = NO_CREDENTIAL  # an unread level carries no evidence: scored as no credential
    else:
        group = credential_group(credential.type, level, credential_age_years(credential, today))
    return {
        "utilisation": float(applicant.utilisation),
        "months_on_book": float(applicant.months_on_book),
        "delinquent_last_12m": float(applicant.delinquent_last_12m),
        "income_band": applicant.income_band,
        "thin_file": "yes" if applicant.thin_file else "no",
        "credential": group,
    }


def book_features(book: pd.DataFrame) -> pd.DataFrame:
    """The feature frame of a loan book with the documented columns (see training/risk/LOANBOOK.md)."""
    old_years = load_policy_parameters().recency.full_credit_years
    ctype = book["credential_type"].fillna(NO_CREDENTIAL).astype(str)
    level = book["credential_level"].fillna("").astype(str).str.replace(r"\.0$", "", regex=True)
    age = pd.to_numeric(book["credential_age_years"], errors="coerce").to_numpy(float)
    group = (ctype + ":" + level).where(ctype != NO_CREDENTIAL, NO_CREDENTIAL)
    old = (ctype != NO_CREDENTIAL).to_numpy() & (np.nan_to_num(age, nan=0.0) > old_years)
    group = group.where(~old, group + "|old")
    thin = book["thin_file"]
    if thin.dtype == object:
        thin = thin.astype(str).str.lower().isin(["true", "1", "yes"])
    return pd.DataFrame({
        "utilisation": pd.to_numeric(book["utilisation"], errors="coerce").astype(float),
        "months_on_book": pd.to_numeric(book["months_on_book"], errors="coerce").astype(float),
        "delinquent_last_12m": pd.to_numeric(book["delinquent_last_12m"], errors="coerce").astype(float),
        "income_band": book["income_band"].astype(str),
        "thin_file": np.where(thin.astype(bool), "yes", "no"),
        "credential": group.astype(str),
    }, index=book.index)
