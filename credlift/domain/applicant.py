"""The applicant's account as the lender knows it before any credential is shown."""
from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from credlift.redaction import mask_id_number, mask_name, redact_id_numbers  # noqa: F401  (re-exported)

IncomeBand = Literal["low", "mid", "high"]


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

