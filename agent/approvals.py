"""Four-eyes on risky approvals: which reviews need a written reason and a second staff member, and where the
first approval is kept (the append-only audit log, so it survives a restart and is itself the record).

A review approval is risky when the evidence is decisive (a tampered or AI-made image, a name or holder that is
not the account's, a document already used under another account) or when the increase the approval would grant
is above `settings.four_eyes_increase_above`. Declining is never held back.
"""
from __future__ import annotations

from collections.abc import Iterable

from credlift.agent.contracts import AuditEntry, FourEyes  # noqa: F401 (FourEyes is part of this module's API)
from credlift.domain import LimitDecision
from credlift.errors import UserInputError

FIRST_APPROVAL = "approval_first"
APPROVAL_WITHDRAWN = "approval_withdrawn"  # the case changed (a new upload) after a first approval
RESOLVED = "review_resolved"
DECISIVE_REASON_CODES = {"DOC_TAMPERED": "tampered", "DOC_AI_GENERATED": "ai_generated",
                         "DOC_NAME_MISMATCH": "name_mismatch", "DOC_HOLDER_MISMATCH": "name_mismatch"}
REUSE_SIGNAL = "reuse"
MIN_REASON_CHARS = 4


class ReviewRefused(UserInputError):
    """A staff action the rules do not allow; `key` names the console label, `values` fill it."""

    def __init__(self, key: str, message: str, **values: object):
        super().__init__(message)
        self.key = key
        self.values = values


def risky_reasons(referral: LimitDecision | None, authenticity_drivers: Iterable[str], increase_if_approved: int,
                  increase_limit: int) -> list[str]:
    """Why an approval of this referral needs two people (empty: one is enough)."""
    reasons: list[str] = []
    for reason in (referral.reason_codes if referral else []):
        label = DECISIVE_REASON_CODES.get(reason.code)
        if label and label not in reasons:
            reasons.append(label)
    if REUSE_SIGNAL in set(authenticity_drivers):
        reasons.append("reuse")
    if increase_if_approved > increase_limit:
        reasons.append("amount")
    return reasons


def pending_first_approval(log: list[AuditEntry]) -> AuditEntry | None:
    """The first approval still standing: the latest one after the last resolution or withdrawal."""
    standing: AuditEntry | None = None
    for entry in log:
        if entry.action == FIRST_APPROVAL:
            standing = entry
        elif entry.action in (RESOLVED, APPROVAL_WITHDRAWN):
            standing = None
    return standing


def reason_of(entry: AuditEntry) -> str:
    """The written reason kept in a first approval's audit detail ("reasons=... | reason text")."""
    return entry.detail.split(" | ", 1)[1] if " | " in entry.detail else ""
