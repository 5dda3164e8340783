"""The helpdesk case page's content from a CaseView: tables, markdown and the overlay, personal data masked."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from html import escape
from pathlib import Path

from PIL import Image

from credlift.agent.contracts import AuditEntry, CaseSummary, CaseView
from credlift.domain.applicant import mask_id_number, mask_name
from credlift.redaction import mask_personal_fields
from credlift.tools.credentials import LEVEL_FIELDS, LEVEL_NAMES, TYPE_NAMES
from credlift.ui.web.chat import transcript_message
from credlift.ui.web.i18n import t

def masked_fields(fields: dict, revealed: bool) -> dict:
    """Credential fields with the personal ones masked (credlift.redaction.mask_personal_fields), unless a staff
    member revealed them."""
    return dict(fields) if revealed else mask_personal_fields(fields)


def status_label(status: str, lang: str) -> str:
    return t(lang, f"status_{status}")


def value_label(kind: str, value: str, lang: str) -> str:
    """A stored value (credential type, verdict, decision kind, queue reason) in the console's language."""
    if not value:
        return ""
    if kind == "type" and value in TYPE_NAMES:  # the type's names live in its spec (tools/credentials)
        return TYPE_NAMES[value][1 if lang == "zh" else 0]
    key = f"{kind}_{value}"
    text = t(lang, key)
    return value if text == key else text


def waiting_label(since: datetime | None, lang: str, now: datetime | None = None) -> str:
    """How long a case has waited, in minutes, hours or days."""
    if since is None:
        return ""
    seconds = max(0, int(((now or datetime.now(timezone.utc)) - since).total_seconds()))
    if seconds < 3600:
        return t(lang, "waited_minutes", n=max(1, seconds // 60))
    if seconds < 86400:
        return t(lang, "waited_hours", n=seconds // 3600)
    return t(lang, "waited_days", n=seconds // 86400)


def queue_rows(cases: list[CaseSummary], lang: str, now: datetime | None = None) -> list[list[str]]:
    return [[c.case_id, c.account_id, c.masked_name, waiting_label(c.queued_at or c.updated_at, lang, now),
             value_label("priority", c.priority, lang), value_label("reason", c.reason, lang),
             status_label(c.status, lang), value_label("type", c.credential_type, lang),
             value_label("verdict_value", c.verdict, lang), value_label("kind", c.decision, lang)] for c in cases]


def queue_headers(lang: str) -> list[str]:
    return [t(lang, key) for key in ("col_case", "col_account", "col_applicant", "col_waiting", "col_priority",
                                     "col_reason", "col_status", "col_type", "col_verdict", "col_decision")]


def signal_headers(lang: str) -> list[str]:
    return [t(lang, key) for key in ("col_signal", "col_score", "col_summary")]


def field_headers(lang: str) -> list[str]:
    return [t(lang, key) for key in ("col_field", "col_value", "col_confidence")]


def case_choices(cases: list[CaseSummary], lang: str) -> list[tuple[str, str]]:
    return [(f"{c.case_id} · {c.masked_name} · {status_label(c.status, lang)}", c.case_id) for c in cases]


def transcript_messages(view: CaseView, lang: str) -> list[dict]:
    return [transcript_message(message, lang, redact=not view.revealed) for message in view.transcript]


def overlay_image(view: CaseView) -> Image.Image | None:
    """The first heatmap overlay that exists on disk (read here, so no data path is exposed to the web server)."""
    paths = list(view.overlay_paths) + [u.authenticity.overlay_path for u in view.uploads
                                        if u.authenticity and u.authenticity.overlay_path]
    from io import BytesIO

    from credlift.tools.forensics.heatmap import read_overlay

    for path in paths:
        if path and Path(path).is_file():
            with Image.open(BytesIO(read_overlay(Path(path)))) as image:
                return image.convert("RGB")
    return None


def verdict_markdown(view: CaseView, lang: str) -> str:
    parts = []
    for upload in view.uploads:
        head = f"**{escape(upload.filename)}** · `{upload.sha256[:12]}`"
        if upload.authenticity:
            head += " — " + t(lang, "verdict", verdict=value_label("verdict_value", upload.authenticity.verdict, lang),
                              score=upload.authenticity.score)
            if upload.authenticity.drivers:
                head += " · " + ", ".join(value_label("signal", d, lang) for d in upload.authenticity.drivers)
        if upload.error:
            head += f" — **{upload.error}**"
        parts.append(head)
    return "\n\n".join(parts)


def _signal_about(signal, lang: str) -> str:
    """The detector's own sentence in English; in Chinese what the check looks for (never an English sentence)."""
    if lang == "en":
        return signal.summary
    about = value_label("signal_about", signal.name, lang)
    return about if about != signal.name else ""


def signal_rows(view: CaseView, lang: str = "en") -> list[list[str]]:
    rows = []
    for upload in view.uploads:
        if upload.authenticity:
            rows += [[value_label("signal", s.name, lang), f"{s.score:.2f}", _signal_about(s, lang)]
                     for s in upload.authenticity.signals]
    return rows


def field_label(key: str, lang: str) -> str:
    """A credential field's name in the console's language (prompts/<lang>/fields.yaml, shared with the reading
    warnings)."""
    from credlift.prompts import field_name

    return field_name(key, "zh" if lang == "zh" else "en")


def _field_value(credential_type: str, key: str, value, lang: str) -> str:
    """A field's value as read; a level code also by its name (e.g. "bachelor" -> 本科 (bachelor))."""
    shown = "" if value is None else str(value)
    names = LEVEL_NAMES.get((credential_type, shown)) if LEVEL_FIELDS.get(credential_type) == key else None
    return f"{names[1 if lang == 'zh' else 0]} ({shown})" if names else shown


def field_rows(view: CaseView, lang: str = "en") -> list[list[str]]:
    rows = []
    for upload in view.uploads:
        if not upload.credential:
            continue
        kind = upload.credential.type
        rows.append([field_label("type", lang), value_label("type", kind, lang), ""])
        for key, value in masked_fields(upload.credential.fields, view.revealed).items():
            confidence = upload.credential.confidence.get(key)
            rows.append([field_label(key, lang), _field_value(kind, key, value, lang),
                         f"{confidence:.2f}" if confidence is not None else ""])
    return rows


def _reading_note(code: str, sentence: str, lang: str) -> str:
    """A warning from reading the page (e.g. the vision model was down, OCR read it) in the console's language:
    the Chinese sentence of its code where it needs no values, else the sentence as recorded."""
    from credlift.tools.extraction.messages import WARNINGS, warning_text

    if lang == "zh" and code in WARNINGS and "{" not in WARNINGS[code][1]:
        return warning_text(code, "zh")
    return sentence


def validation_markdown(view: CaseView, lang: str) -> str:
    lines = []
    for upload in view.uploads:
        credential = upload.credential
        if credential is not None:
            lines += [f"- {escape(_reading_note(code, sentence, lang))}"
                      for code, sentence in zip(credential.warning_codes, credential.warnings)]
        if not upload.validation:
            continue
        status = upload.validation.registry_status
        lines.append(f"- {t(lang, 'registry_label')}: {value_label('registry', status, lang)}")
        for finding in upload.validation.findings:
            message = finding.message_zh if lang == "zh" and finding.message_zh else finding.message
            lines.append(f"- **{value_label('severity', finding.severity, lang)}** `{finding.code}` {message}")
    return "\n".join(lines)


def decision_record(view: CaseView) -> dict:
    return json.loads(view.decision.model_dump_json()) if view.decision else {}


def clauses_markdown(view: CaseView, lang: str) -> str:
    return "\n".join(f"- **{c.clause.id}** {c.clause.title_zh if lang == 'zh' else c.clause.title_en}: "
                     f"{c.clause.text(lang)}" for c in view.clauses)


def applicant_record(view: CaseView) -> dict:
    profile = dict(view.applicant)
    if not view.revealed:
        if isinstance(profile.get("name"), str):
            profile["name"] = mask_name(profile["name"])
        if isinstance(profile.get("id_number"), str):
            profile["id_number"] = mask_id_number(profile["id_number"])
    return json.loads(json.dumps(profile, default=str, ensure_ascii=False))


def audit_rows(entries: list[AuditEntry], lang: str = "en") -> list[list[str]]:
    return [[e.at.strftime("%Y-%m-%d %H:%M:%S"), e.actor, value_label("audit", e.action, lang), e.case_id or "",
             e.detail] for e in entries]


def audit_headers(lang: str) -> list[str]:
    return [t(lang, key) for key in ("col_at", "col_actor", "col_action", "col_case", "col_detail")]


def four_eyes_markdown(view: CaseView, lang: str) -> str:
    """Why this case needs two approvals, and who gave the first; a decided case says it is read-only."""
    if view.summary.status == "decided":
        return t(lang, "read_only_case")
    gate = view.four_eyes
    if not gate.reasons:
        return ""
    reasons = "；".join if lang == "zh" else "; ".join
    text = t(lang, "four_eyes_needed", reasons=reasons(
        t(lang, f"four_eyes_reason_{r}", amount=gate.increase_if_approved, limit=gate.increase_limit)
        if r == "amount" else t(lang, f"four_eyes_reason_{r}") for r in gate.reasons))
    if gate.first_approver:
        text += "\n\n" + t(lang, "four_eyes_first", user=escape(gate.first_approver), reason=escape(gate.first_reason))
    return text


def may_resolve(view: CaseView) -> bool:
    """Approve and decline work only on a case waiting for a review (the service refuses the rest too)."""
    return view.summary.status == "awaiting_review"


def decision_rows(view: CaseView, lang: str) -> list[list[str]]:
    """The decision record as a readable table: kind, limits, each reason with its clauses, policy and time."""
    decision = view.decision
    if decision is None:
        return []
    rows = [[t(lang, "rec_kind"), value_label("kind", decision.kind, lang)],
            [t(lang, "rec_limits"), f"¥{decision.current_limit:,} → ¥{decision.new_limit:,} (+¥{decision.increase:,})"]]
    for reason in decision.reason_codes:
        rows.append([t(lang, "rec_reason"), f"{reason.text(lang)} [{reason.code}; {', '.join(reason.clause_ids)}]"])
    for item in decision.counterfactuals:
        rows.append([t(lang, "rec_would_help"), item.text(lang)])
    rows.append([t(lang, "rec_policy"), decision.policy_version])
    if decision.decided_at:
        rows.append([t(lang, "rec_decided_at"), decision.decided_at.strftime("%Y-%m-%d %H:%M:%S")])
    review = (decision.inputs or {}).get("manual_review")
    if review:
        rows.append([t(lang, "rec_review"), f"{review.get('staff', '')}: {review.get('note', '')}"])
    return rows


def record_headers(lang: str) -> list[str]:
    return [t(lang, "col_item"), t(lang, "col_value")]
