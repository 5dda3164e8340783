"""Turns the service's transcript into gr.Chatbot messages, with the page's own extras (photos, progress, notices).

The transcript is the record; extras exist only in this browser session and are pinned to the transcript length
at the moment they appeared, so a refresh after a staff action puts every message back in the right place.
"""
from __future__ import annotations

from html import escape

from pydantic import BaseModel, Field

from credlift.agent.contracts import ChatMessage
from credlift.domain.applicant import redact_id_numbers
from credlift.ui.web.i18n import t


class ChatExtra(BaseModel):
    after: int = Field(description="number of transcript messages before this one")
    message: dict


class ApplicantSession(BaseModel):
    """Per-browser applicant state (held in gr.State)."""
    thread_id: str | None = None
    account_id: str | None = None
    case_id: str | None = None
    lang: str = "zh"
    seen: int = 0
    awaiting: str = "user"
    busy: bool = Field(default=False, description="an upload is being analysed; polling waits")
    extras: list[ChatExtra] = Field(default_factory=list)

    def pin(self, message: dict) -> dict:
        """Adds a page-only message after what the transcript holds now; returns the stored dict to update in place."""
        self.extras.append(ChatExtra(after=self.seen, message=message))
        return self.extras[-1].message


def readable_reply(text: str, lang: str) -> str:
    """A bot reply as the applicant reads it: clause titles instead of codes, each clause's text a tap away."""
    from credlift.agent.wording import applicant_text, cited_clauses

    notes = "".join(f"\n\n<details><summary>{escape(name)}</summary>\n\n{escape(body)}\n\n</details>"
                    for _, name, body in cited_clauses(text, lang))
    return applicant_text(text, lang) + notes


def transcript_message(message: ChatMessage, lang: str, redact: bool = True, for_applicant: bool = False) -> dict:
    """One transcript line as a chat bubble; staff lines are signed, ID numbers masked unless `redact` is off.
    `for_applicant`: the bot's clause codes become readable titles (staff see the codes)."""
    text = redact_id_numbers(message.text) if redact else message.text
    if message.role == "user":
        return {"role": "user", "content": text}
    if message.role == "staff":
        signature = t(lang, "helpdesk_name", author=message.author or "")
        return {"role": "assistant", "content": f"**{signature}**  \n{text}"}
    if message.role == "system":
        return {"role": "assistant", "content": f"*{text}*"}
    return {"role": "assistant", "content": readable_reply(text, lang) if for_applicant else text}


def render_chat(transcript: list[ChatMessage], session: ApplicantSession, lang: str) -> list[dict]:
    rendered: list[dict] = []
    extras = sorted(session.extras, key=lambda extra: extra.after)
    position = 0
    for index, message in enumerate(transcript):
        while position < len(extras) and extras[position].after <= index:
            rendered.append(extras[position].message)
            position += 1
        rendered.append(transcript_message(message, lang, for_applicant=True))
    rendered += [extra.message for extra in extras[position:]]
    return rendered


def progress_message(lines: list[str], lang: str, done: bool) -> dict:
    """A collapsible 'thinking' box that streams the pipeline's progress lines."""
    return {"role": "assistant", "content": "\n".join(f"- {line}" for line in lines) or "…",
            "metadata": {"title": t(lang, "analysis_done" if done else "analysing"),
                         "status": "done" if done else "pending"}}


def photo_message(path: str) -> dict:
    return {"role": "user", "content": {"path": path}}


def notice_message(text: str) -> dict:
    return {"role": "assistant", "content": f"**{text}**"}
