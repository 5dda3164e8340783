"""Policy clauses as the knowledge base holds them."""
from __future__ import annotations

from pydantic import BaseModel, Field


class Clause(BaseModel):
    id: str = Field(description="stable, e.g. INC-CET-02")
    topic: str
    title_zh: str
    title_en: str
    text_zh: str
    text_en: str
    tags: list[str] = Field(default_factory=list)
    policy_version: str = Field(default="", description="parameters.yaml policy_version the numbers come from")

    def text(self, lang: str) -> str:
        return self.text_zh if lang == "zh" else self.text_en


class RetrievedClause(BaseModel):
    clause: Clause
    score: float
    rank: int
    matched_by: list[str] = Field(default_factory=list, description="rankers that found it: dense, keyword")
