"""The helpdesk's facade: staff sign-in, the review queue, a case (masked unless revealed, audited), four-eyes
approvals, replies, take-over and hand-back, the audit log. The web app's console and staff API use this
(ui/web/helpdesk_flow.py); every staff action is written to the audit log."""
from __future__ import annotations

import hmac
import logging
from datetime import datetime, timezone

from langgraph.types import Command

from credlift.agent import approvals, grounding
from credlift.agent.case_store import WAITING
from credlift.agent.contracts import AuditEntry, CaseSummary, CaseView, ChatMessage, FourEyes, TurnResult, UploadOutcome
from credlift.agent.core import AgentCore, _now
from credlift.domain import LimitDecision
from credlift.domain.applicant import mask_name, redact_id_numbers
from credlift.errors import UserInputError
from credlift.redaction import mask_personal_fields

logger = logging.getLogger(__name__)


class HelpdeskService:
    def __init__(self, core: AgentCore):
        self._core = core
        self.settings = core.settings
        self.services = core.services

    def authenticate_staff(self, user: str, password: str) -> str | None:
        for entry in self.settings.staff_users.split(","):
            parts = entry.strip().split(":")
            if len(parts) < 3:
                continue
            name, secret, role = parts[0], ":".join(parts[1:-1]), parts[-1]
            if hmac.compare_digest(name.encode(), (user or "").encode()) and \
                    hmac.compare_digest(secret.encode(), (password or "").encode()):
                self.services.cases.audit(name, "staff_login")
                return role
        self.services.cases.audit(user or "?", "staff_login_failed")
        return None

    def review_queue(self) -> list[CaseSummary]:
        """Cases waiting for staff, oldest first: referrals in review and conversations handed over to a person,
        each with why it waits and its priority (decisive evidence or a large increase first)."""
        waiting = [c for c in self.services.cases.cases() if c.status in WAITING]
        entries = [self._queue_entry(c) for c in waiting]
        floor = datetime.min.replace(tzinfo=timezone.utc)
        return sorted(entries, key=lambda c: (c.priority != "high", c.queued_at or c.updated_at or floor))

    def _queue_entry(self, summary: CaseSummary) -> CaseSummary:
        if summary.status == "taken_over":
            return summary.model_copy(update={"reason": "human", "priority": "normal"})
        try:
            gate = self.four_eyes(summary.case_id)
        except Exception:  # a case whose state cannot be read still shows, without a reason
            logger.exception("case %s: four-eyes check failed", summary.case_id)
            return summary.model_copy(update={"priority": "normal"})
        if gate.reasons:
            return summary.model_copy(update={"reason": gate.reasons[0], "priority": "high"})
        decision: LimitDecision | None = self._core._values(summary.thread_id).get("decision")
        first = next((r.code for r in (decision.reason_codes if decision else []) if r.code.startswith("DOC_")), "")
        return summary.model_copy(update={"reason": first, "priority": "normal"})

    def cases(self) -> list[CaseSummary]:
        return self.services.cases.cases()

    def case_for_thread(self, thread_id: str) -> str | None:
        return self.services.cases.case_for_thread(thread_id)

    def case_view(self, case_id: str, staff_user: str, reveal: bool = False) -> CaseView:
        summary = self.services.cases.summary(case_id)
        values = self._core._values(summary.thread_id)
        decision: LimitDecision | None = values.get("decision")
        profile = self.services.accounts.get(summary.account_id)
        uploads = self.services.cases.uploads(case_id)
        if reveal:
            self.services.cases.audit(staff_user, "reveal_personal_data", case_id, "personal data shown to staff")
        else:
            uploads = [_mask_upload(u) for u in uploads]
        applicant = profile.model_dump(mode="json")
        if not reveal:
            applicant.update(name=profile.masked_name, id_number=profile.masked_id_number)
        transcript = [m if reveal else m.model_copy(update={"text": redact_id_numbers(m.text)})
                      for m in self._core.transcript(summary.thread_id)]
        clause_ids = list(decision.clause_ids) if decision else []
        clauses = grounding.lookup(clause_ids) if clause_ids else []
        overlays = [u.authenticity.overlay_path for u in uploads if u.authenticity and u.authenticity.overlay_path]
        self.services.cases.audit(staff_user, "case_viewed", case_id, "")
        four_eyes = self.four_eyes(case_id) if summary.status == "awaiting_review" else FourEyes()
        return CaseView(summary=summary, transcript=transcript, uploads=uploads, decision=decision, clauses=clauses,
                        applicant=applicant, overlay_paths=overlays, revealed=reveal, four_eyes=four_eyes)

    def four_eyes(self, case_id: str) -> FourEyes:
        """Whether approving this review needs a reason and a second person, and the first approval if given."""
        summary = self.services.cases.summary(case_id)
        values = self._core._values(summary.thread_id)
        referral: LimitDecision | None = values.get("decision")
        result = (values.get("results") or {}).get(values.get("decided_upload_id", ""))
        increase = 0
        drivers: list[str] = []
        if result is not None and result.credential is not None:
            from credlift.tools import limits

            preview = limits.decide(self.services.accounts.get(summary.account_id), result.credential,
                                    result.validation, result.authenticity, result.risk_score,
                                    assessment=result.assessment, review_cleared=True)
            increase = preview.increase
            drivers = list(result.authenticity.drivers) if result.authenticity else []
        reasons = approvals.risky_reasons(referral, drivers, increase, self.settings.four_eyes_increase_above)
        first = approvals.pending_first_approval(self.services.cases.audit_log(case_id))
        return FourEyes(reasons=reasons, increase_if_approved=increase,
                        increase_limit=self.settings.four_eyes_increase_above,
                        first_approver=first.actor if first else "", first_reason=approvals.reason_of(first) if first else "")

    def resolve_review(self, case_id: str, staff_user: str, approve: bool, note: str = "") -> TurnResult:
        """Approve or decline a case in review. A risky approval (approvals.py) needs a written reason from two
        different staff members: the first is recorded and the case stays in review until the second."""
        summary = self.services.cases.summary(case_id)
        note = (note or "").strip()
        with self._core._locks[summary.thread_id]:
            if self._core._interrupt_kind(summary.thread_id) != "review":
                self.services.cases.audit(staff_user, "review_refused", case_id, "not in review")
                raise approvals.ReviewRefused("case_not_in_review", f"case {case_id} is not waiting for a review "
                                              "(it is decided or was never referred)")
            if approve:
                gate = self.four_eyes(case_id)
                if gate.required and len(note) < approvals.MIN_REASON_CHARS:
                    self.services.cases.audit(staff_user, "review_refused", case_id, "no written reason")
                    raise approvals.ReviewRefused("reason_required", "approving this case needs a written reason")
                if gate.required and not gate.first_approver:
                    self.services.cases.audit(staff_user, approvals.FIRST_APPROVAL, case_id,
                                              f"reasons={','.join(gate.reasons)} | {note}")
                    return self._core._staff_result(summary.thread_id, case_id).model_copy(
                        update={"second_approval_needed": True})
                if gate.required and gate.first_approver == staff_user:
                    self.services.cases.audit(staff_user, "review_refused", case_id, "same person approved twice")
                    raise approvals.ReviewRefused("second_person_required", "a second staff member must approve "
                                                  "this case", first=gate.first_approver)
                if gate.required:
                    note = f"{gate.first_approver}: {gate.first_reason} / {staff_user}: {note}"
            self.services.cases.audit(staff_user, approvals.RESOLVED, case_id,
                                      f"approve={bool(approve)} note={note}")
            return self._core._run(summary.thread_id, Command(resume={"approve": bool(approve), "note": note,
                                                                      "staff": staff_user}))

    def staff_reply(self, case_id: str, staff_user: str, text: str) -> TurnResult:
        summary = self.services.cases.summary(case_id)
        text = (text or "").strip()
        if not text:
            raise UserInputError("the reply is empty")
        message = ChatMessage(role="staff", text=text, author=staff_user, at=_now())
        self.services.cases.add_side_message(case_id, message)
        self.services.cases.audit(staff_user, "staff_reply", case_id, text[:200])
        values = self._core._values(summary.thread_id)
        return TurnResult(thread_id=summary.thread_id, case_id=case_id, replies=[text],
                          decision=values.get("decision"), awaiting=self._core._awaiting(summary.thread_id),
                          language=values.get("language", "zh"))

    def take_over(self, case_id: str, staff_user: str) -> TurnResult:
        summary = self.services.cases.summary(case_id)
        self.services.cases.update_case(case_id, taken_over_by=staff_user, status="taken_over")
        self.services.cases.audit(staff_user, "take_over", case_id, "")
        return self._core._staff_result(summary.thread_id, case_id)

    def hand_back(self, case_id: str, staff_user: str) -> TurnResult:
        summary = self.services.cases.summary(case_id)
        with self._core._locks[summary.thread_id]:
            self.services.cases.update_case(case_id, taken_over_by="")
            self.services.cases.audit(staff_user, "hand_back", case_id, "")
            if self._core._interrupt_kind(summary.thread_id) == "human":
                return self._core._run(summary.thread_id, Command(resume={"staff": staff_user}))
            self._core._sync_case(summary.thread_id)
            return self._core._staff_result(summary.thread_id, case_id)

    def audit_log(self, case_id: str | None = None) -> list[AuditEntry]:
        return self.services.cases.audit_log(case_id)


def _mask_upload(outcome: UploadOutcome) -> UploadOutcome:
    if outcome.credential is None:
        return outcome
    fields = mask_personal_fields(outcome.credential.fields)
    holder = outcome.credential.fields.get("holder_name")
    holder = holder if isinstance(holder, str) else ""
    lines = [redact_id_numbers(line.replace(holder, mask_name(holder)) if holder else line)
             for line in outcome.credential.text_lines]
    credential = outcome.credential.model_copy(update={"fields": fields, "text_lines": lines})
    return outcome.model_copy(update={"credential": credential})
