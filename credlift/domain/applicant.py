"""The applicant's account as the lender knows it before any credential is shown."""
from __future__ import annotations

import re
from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

IncomeBand = Literal["low", "mid", "high"]
ID_NUMBER_PATTERN = re.compile(r"\b\d{17}[\dXx]\b")


class ApplicantProfile(BaseModel):
    account_id: str
    name: str
    id_number: str = Field(description="GB 11643 resident ID number; personal data, never logged in full")
    current_limit: int = Field(ge=0, description="yuan")
    utilisation: float = Field(ge=0.0, le=1.0)
    months_on_book: int = Field(ge=0)
    delinquent_last_12m: int = Field(ge=0, description="number of 30+ day delinquencies in the last 12 months")
    income_band: IncomeBand = "low"
    thin_file: bool = True
    occupation: str = ""
    last_increase_on: date | None = None
    counted_credentials: list[str] = Field(default_factory=list, description="certificate keys already used for an increase")

    @property
    def balance_owed(self) -> int:
        """Yuan owed now (utilisation is the balance over the limit), to the yuan."""
        return int(round(self.utilisation * self.current_limit))

    @property
    def masked_name(self) -> str:
        return mask_name(self.name)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)


def mask_id_number(id_number: str) -> str:
    """All but the first 3 and last 4 characters hidden (shared/reference/credential-numbers.md)."""
    if len(id_number) <= 7:
        return "*" * len(id_number)
    return id_number[:3] + "*" * (len(id_number) - 7) + id_number[-4:]


def mask_name(name: str) -> str:
    """林晓雨 -> 林**; Alice Wang -> A**** W***."""
    if not name:
        return name
    if re.search(r"[\u4e00-\u9fff]", name):
        return name[0] + "*" * (len(name) - 1)
    return " ".join(part[0] + "*" * (len(part) - 1) for part in name.split())


def redact_id_numbers(text: str) -> str:
    """Masks every 18-character ID number inside free text (logs, replies)."""
    return ID_NUMBER_PATTERN.sub(lambda m: mask_id_number(m.group(0)), text)
