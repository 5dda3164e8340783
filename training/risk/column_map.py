"""A column map: how to read any lender's loan book for `credlift study BOOK --columns MAP.yaml`.

The map names the book's columns for the study's roles and recodes values:

    outcome: default                # the outcome column
    default_values: [1]             # the outcome values that mean "defaulted" (default: 1 / true / yes)
    credential: EDUCATION           # the credential column
    credential_name: education      # how the report names it (default: the column's name)
    levels: {1: graduate_school, 2: university, 3: high_school, 4: other}   # recode (optional)
    reference: high_school          # effects are against this level
    controls: [LIMIT_BAL, BILL_AMT1]  # the traditional features (numeric, or text = categorical)
    categorical: []                 # controls to treat as categories even when they hold numbers
    protected: [MARRIAGE, {column: age_in_years, cuts: [25, 35, 50]}]   # fairness only, never a model input
    month: application_month        # optional: out-of-time split on it (YYYY-MM, or a date)
    thin_file: {column: trade_lines, values: [0, 1]}   # optional: which rows are thin-file applicants

Roles the book lacks are skipped, and the report states each caveat (no month: a random split; no thin-file
flag: inclusion on the whole book). A protected column can never be a control. Bad maps and missing columns
raise UserInputError with one sentence.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from credlift.errors import UserInputError

OUTCOME = "outcome"
LEVEL = "credential_level"
MONTH = "month"
THIN = "thin_file"


def _key(value: object) -> str:
    """Book values and map keys compare as text; 1, 1.0 and '1' are the same code."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    return text[:-2] if text.endswith(".0") and text[:-2].lstrip("-").isdigit() else text


class ProtectedBand(BaseModel):
    """A numeric protected attribute in bands: cuts [25, 35, 50] -> <25, 25-35 (25 up to 35), 35-50, 50+."""
    model_config = ConfigDict(extra="forbid")
    column: str
    cuts: list[float] = Field(min_length=1)
    name: str | None = None

    @field_validator("cuts")
    @classmethod
    def _increasing(cls, cuts: list[float]) -> list[float]:
        if any(b <= a for a, b in zip(cuts, cuts[1:])):
            raise ValueError("cuts must increase")
        return cuts

    @property
    def label(self) -> str:
        return self.name or f"{self.column} band"


class ThinFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    column: str
    values: list[str | int | float | bool] = Field(default_factory=lambda: [1, True, "yes", "true"])


class ColumnMap(BaseModel):
    model_config = ConfigDict(extra="forbid")
    outcome: str
    default_values: list[str | int | float | bool] = Field(default_factory=lambda: [1, True, "yes", "true"])
    credential: str
    credential_name: str | None = None
    levels: dict[str, str] | None = None
    reference: str
    controls: list[str] = Field(default_factory=list)
    categorical: list[str] = Field(default_factory=list)
    protected: list[str | ProtectedBand] = Field(default_factory=list)
    month: str | None = None
    thin_file: str | ThinFile | None = None
    min_holders: int = Field(30, ge=1, description="levels with fewer holders get no adjusted effect")

    @field_validator("levels", mode="before")
    @classmethod
    def _level_keys(cls, levels):
        if levels is None:
            return None
        if not isinstance(levels, dict):
            raise ValueError("levels must map book values to level names")
        return {_key(k): str(v) for k, v in levels.items()}

    @model_validator(mode="after")
    def _roles(self) -> "ColumnMap":
        protected = set(self.protected_columns)
        overlap = [c for c in self.controls if c in protected]
        if overlap:
            raise ValueError(f"{', '.join(overlap)} is protected and cannot be a control (protected attributes "
                             "never enter the model)")
        for role, column in (("outcome", self.outcome), ("credential", self.credential)):
            if column in self.controls:
                raise ValueError(f"the {role} column {column} cannot also be a control")
            if column in protected:
                raise ValueError(f"the {role} column {column} cannot also be protected")
        unknown = [c for c in self.categorical if c not in self.controls]
        if unknown:
            raise ValueError(f"categorical names {', '.join(unknown)}, which are not controls")
        if self.levels is not None and self.reference not in set(self.levels.values()):
            raise ValueError(f"reference '{self.reference}' is none of the levels ({', '.join(sorted(set(self.levels.values())))})")
        return self

    @property
    def name(self) -> str:
        return self.credential_name or self.credential

    @property
    def protected_columns(self) -> list[str]:
        return [p if isinstance(p, str) else p.column for p in self.protected]

    @property
    def protected_labels(self) -> list[str]:
        return [p if isinstance(p, str) else p.label for p in self.protected]

    @property
    def thin_column(self) -> str | None:
        if self.thin_file is None:
            return None
        return self.thin_file if isinstance(self.thin_file, str) else self.thin_file.column

    def required_columns(self) -> list[str]:
        columns = [self.outcome, self.credential, *self.controls, *self.protected_columns]
        columns += [c for c in (self.month, self.thin_column) if c]
        return list(dict.fromkeys(columns))


def load_column_map(path: Path | str) -> ColumnMap:
    path = Path(path)
    if not path.is_file():
        raise UserInputError(f"column map '{path}' does not exist")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise UserInputError(f"column map '{path.name}' is not valid YAML ({str(error).splitlines()[0]})") from None
    if not isinstance(data, dict):
        raise UserInputError(f"column map '{path.name}' must be a YAML mapping of roles to columns")
    try:
        return ColumnMap.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "map"
        message = first["msg"].removeprefix("Value error, ")
        raise UserInputError(f"column map '{path.name}': {where}: {message}") from None


def _band_labels(cuts: list[float]) -> list[str]:
    fmt = [f"{c:g}" for c in cuts]
    return [f"<{fmt[0]}"] + [f"{a}-{b}" for a, b in zip(fmt, fmt[1:])] + [f"{fmt[-1]}+"]


def apply_column_map(book: pd.DataFrame, cmap: ColumnMap, book_name: str = "book") -> pd.DataFrame:
    """The book in the study's roles: outcome (0/1), credential_level (text), the controls as they are,
    each protected attribute as a text group, and month / thin_file when mapped. Raises UserInputError for
    missing columns, unmapped credential values, or an outcome it cannot read."""
    missing = [c for c in cmap.required_columns() if c not in book.columns]
    if missing:
        raise UserInputError(f"loan book '{book_name}' lacks the mapped columns {', '.join(missing)}")
    if len(book) == 0:
        raise UserInputError(f"loan book '{book_name}' has no rows")
    out = pd.DataFrame(index=book.index)
    defaults = {_key(v).lower() for v in cmap.default_values}
    outcome_keys = book[cmap.outcome].map(_key).str.lower()
    if (outcome_keys == "").any():
        raise UserInputError(f"the outcome column {cmap.outcome} has {int((outcome_keys == '').sum())} empty values")
    out[OUTCOME] = outcome_keys.isin(defaults).astype(int)
    if out[OUTCOME].nunique() < 2:
        raise UserInputError(f"the outcome column {cmap.outcome} has no defaults or no non-defaults under "
                             f"default_values {sorted(defaults)} (values seen: {', '.join(sorted(set(outcome_keys))[:6])})")
    codes = book[cmap.credential].map(_key)
    if cmap.levels is not None:
        unmapped = sorted(set(codes) - set(cmap.levels))
        if unmapped:
            raise UserInputError(f"the credential column {cmap.credential} has values {', '.join(map(repr, unmapped[:5]))} "
                                 "that levels does not recode")
        codes = codes.map(cmap.levels)
    elif (codes == "").any():
        raise UserInputError(f"the credential column {cmap.credential} has empty values; recode them with levels")
    if cmap.reference not in set(codes):
        raise UserInputError(f"no row of the book is at the reference level '{cmap.reference}'")
    out[LEVEL] = codes.astype(str)
    for column in cmap.controls:
        values = book[column]
        if column in cmap.categorical or not pd.api.types.is_numeric_dtype(values):
            out[column] = values.map(_key).replace("", "missing").astype(str)
        else:
            out[column] = pd.to_numeric(values, errors="coerce").astype(float)
    for item in cmap.protected:
        if isinstance(item, str):
            out[f"protected:{item}"] = book[item].map(_key).replace("", "missing").astype(str)
        else:
            numbers = pd.to_numeric(book[item.column], errors="coerce").to_numpy(float)
            labels = np.array(_band_labels(item.cuts), dtype=object)
            band = labels[np.searchsorted(np.asarray(item.cuts), np.nan_to_num(numbers, nan=-np.inf), side="right")]
            out[f"protected:{item.label}"] = np.where(np.isnan(numbers), "missing", band)
    if cmap.month:
        parsed = pd.to_datetime(book[cmap.month].astype(str), errors="coerce", format="mixed")
        if parsed.isna().any():
            raise UserInputError(f"the month column {cmap.month} has {int(parsed.isna().sum())} values that are not dates")
        out[MONTH] = parsed.dt.strftime("%Y-%m")
    if cmap.thin_column:
        values = cmap.thin_file.values if isinstance(cmap.thin_file, ThinFile) else [1, True, "yes", "true"]
        out[THIN] = book[cmap.thin_column].map(_key).str.lower().isin({_key(v).lower() for v in values})
    return out


def numeric_controls(frame: pd.DataFrame, cmap: ColumnMap) -> list[str]:
    return [c for c in cmap.controls if pd.api.types.is_float_dtype(frame[c])]
