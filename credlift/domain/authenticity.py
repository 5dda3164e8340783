"""Is it real? The shape every forensic signal reports, and the fused verdict."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

# undetermined: outside what the detectors were calibrated for (an unknown layout or capture); a person looks
Verdict = Literal["authentic", "suspicious", "tampered", "ai_generated", "unreadable", "undetermined"]


class Box(BaseModel):
    x: int
    y: int
    w: int
    h: int


class SignalReport(BaseModel):
    """One forensic signal: a score in [0, 1] (higher = more likely manipulated), where, and a sentence for staff."""
    name: str
    score: float = Field(ge=0.0, le=1.0)
    boxes: list[Box] = Field(default_factory=list)
    summary: str = ""
    details: dict[str, float | int | str | bool] = Field(default_factory=dict)
    heatmap_path: str | None = Field(default=None, description="grayscale PNG, same size as the analysed image")


class AuthenticityReport(BaseModel):
    verdict: Verdict
    score: float = Field(ge=0.0, le=1.0, description="probability of manipulation")
    signals: list[SignalReport] = Field(default_factory=list)
    drivers: list[str] = Field(default_factory=list, description="names of the signals that drove the verdict")
    overlay_path: str | None = Field(default=None, description="heatmap overlay (JPEG) for staff; never shown to applicants")
    reason: str = Field(default="", description="for unreadable or undetermined inputs: a sentence a person "
                        "understands")
    model_version: str = ""
    skipped: dict[str, str] = Field(default_factory=dict, description="checks the cascade did not run (they could "
                                    "not change the verdict), each with the reason")
    timings_ms: dict[str, dict[str, float]] = Field(default_factory=dict, description="per check run: wall and cpu "
                                                    "milliseconds (staff and the benchmark; not in the CLI contract)")

    def cli_dict(self) -> dict:
        """The `authenticity` part of the `credlift check --json` contract."""
        return {
            "verdict": self.verdict,
            "score": round(self.score, 4),
            "signals": [s.model_dump(exclude={"heatmap_path"}) for s in self.signals],
            "drivers": self.drivers,
            "skipped": self.skipped,
        }
