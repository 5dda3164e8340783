"""What the models did in a replayed dialogue, read from the case's audit trail (in-process replay).

The conversation node audits every reply the LLM responder produced and every reply a check or fallback changed
(`reply_checked`: "source=llm|deterministic; note; ..."); the assess node audits each risk assessment's source
(`risk_assessed ... source=llm|deterministic`) and why a model answer was not used (`risk_llm_fallback`). From
these: how many replies the model wrote, how many sentences the guard replaced (a number or clause id not in the
record), how many replies the reply check or a server failure turned deterministic, how many applicant messages
were screened before the model, and how many risk assessments the model made or lost to the validator.
With the deterministic default all counts are 0.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from pydantic import BaseModel, Field


class ModelUse(BaseModel):
    llm_replies: int = Field(default=0, description="replies written by the LLM responder (after the guard)")
    guard_corrected_replies: int = Field(default=0, description="LLM replies in which the guard replaced sentences")
    guard_sentences_replaced: int = Field(default=0, description="sentences with a number or clause id not in the "
                                          "decision record or the retrieved clauses")
    reply_check_failed: int = Field(default=0, description="LLM replies refused by the reply check (decision word, "
                                    "promise, prompt leak): the deterministic reply was sent")
    responder_fallbacks: int = Field(default=0, description="server error, timeout or empty answer: deterministic")
    screened: int = Field(default=0, description="applicant messages screened as instructions before the model")
    reasoner_llm: int = Field(default=0, description="risk assessments the model made (passed the validator)")
    reasoner_deterministic: int = 0
    reasoner_rejections: dict[str, int] = Field(default_factory=dict, description="validator code -> count")

    def add(self, other: "ModelUse") -> "ModelUse":
        data = self.model_dump()
        for name, value in other.model_dump().items():
            if isinstance(value, dict):
                data[name] = dict(Counter(data[name]) + Counter(value))
            else:
                data[name] += value
        return ModelUse(**data)

    @property
    def any(self) -> bool:
        return any(v for v in self.model_dump().values())


def model_use(entries: Iterable) -> ModelUse:
    """From audit entries (objects with `action` and `detail`) of one case."""
    use = ModelUse()
    rejections: Counter = Counter()
    for entry in entries:
        detail = entry.detail or ""
        if entry.action == "reply_checked":
            if "source=llm" in detail:
                use.llm_replies += 1
                replaced = detail.count("sentence replaced") + detail.count("empty after the guard")
                use.guard_corrected_replies += replaced > 0
                use.guard_sentences_replaced += detail.count("sentence replaced")
            use.reply_check_failed += "reply check failed" in detail
            use.responder_fallbacks += "fallback:" in detail
            use.screened += "screened before the model" in detail
        elif entry.action == "risk_assessed":
            use.reasoner_llm += "source=llm" in detail
            use.reasoner_deterministic += "source=deterministic" in detail
        elif entry.action == "risk_llm_fallback":
            match = re.search(r"deterministic reasoner used: ([a-z_]+)", detail)
            rejections[match.group(1) if match else "other"] += 1
    use.reasoner_rejections = dict(rejections)
    return use


def summary_line(use: ModelUse) -> str:
    rejected = ", ".join(f"{k} {v}" for k, v in sorted(use.reasoner_rejections.items())) or "none"
    return (f"models: {use.llm_replies} LLM replies, guard corrected {use.guard_corrected_replies} "
            f"({use.guard_sentences_replaced} sentences), reply check refused {use.reply_check_failed}, "
            f"responder fallbacks {use.responder_fallbacks}, screened {use.screened}; risk reasoner: LLM "
            f"{use.reasoner_llm}, deterministic {use.reasoner_deterministic} (rejected: {rejected})")
