"""The applicant page: pick an account, chat, send certificate photos, watch the analysis, read the result card."""
from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Iterator

import gradio as gr

from credlift.agent.contracts import TurnResult
from credlift.errors import UserInputError
from credlift.ui.web.applicant_flow import ApplicantFlow
from credlift.ui.web.chat import ApplicantSession, notice_message, photo_message, progress_message, render_chat
from credlift.ui.web.i18n import normalise, t
from credlift.ui.web.labels import Labeller
from credlift.ui.web.result_card import decision_clause_ids, render_result_card
from credlift.ui.web.uploads import NotAnUpload, uploaded_path

log = logging.getLogger(__name__)
POLL_EVERY_S = 2.0


class ApplicantView:
    """Builds the applicant tab inside an open gr.Blocks and wires its events."""

    def __init__(self, flow: ApplicantFlow, labeller: Labeller, language: gr.Radio, app: gr.Blocks,
                 browser_secret: str, clause_titles: Callable[[list[str], str], dict[str, str]] | None = None):
        self.flow = flow
        self.clause_titles = clause_titles or (lambda ids, lang: {})
        self.session = gr.State(ApplicantSession())
        # the conversation survives a reload: this browser remembers its thread (signed, in localStorage)
        self.saved = gr.BrowserState({}, storage_key="credlift-applicant", secret=browser_secret)
        with gr.Row(elem_classes=["cl-account-row"], visible=False, equal_height=True) as self.who_row:
            self.who = gr.Markdown("", elem_id="cl-who")
            self.switch_button = labeller.add(gr.Button(size="sm", scale=0, min_width=110, elem_id="cl-switch"),
                                              value="switch_account")
        with gr.Row(elem_classes=["cl-account-row"]) as self.account_row:
            self.account = labeller.add(gr.Dropdown(choices=self._account_choices(), value=None, scale=3,
                                                    elem_id="cl-account", interactive=True),
                                        label="account", info="account_placeholder")
            self.account_id = labeller.add(gr.Textbox(scale=2, max_lines=1, elem_id="cl-account-id"),
                                           label="account_id", placeholder="account_id_placeholder")
            self.start_button = labeller.add(gr.Button(variant="primary", scale=1, min_width=100,
                                                       elem_id="cl-start"), value="start")
        with gr.Row(elem_classes=["cl-applicant-row"]):
            with gr.Column(scale=3, min_width=320, elem_id="cl-chat-col"):
                self.chat = labeller.add(gr.Chatbot(height="62vh", min_height=320, elem_id="cl-chat", buttons=[],
                                                    show_label=False, feedback_options=None,
                                                    group_consecutive_messages=False, allow_file_downloads=False,
                                                    layout="bubble"), label="chat")
                self.notice = gr.Markdown("", elem_id="cl-notice")
                self.message = labeller.add(gr.MultimodalTextbox(file_types=["image", ".pdf"], file_count="multiple",
                                                                 sources=["upload"], elem_id="cl-message",
                                                                 show_label=False, autofocus=False),
                                            placeholder="message_placeholder")
            with gr.Column(scale=2, min_width=300, elem_id="cl-card-col"):
                self.card = gr.HTML("", elem_id="cl-result-card")
        self.timer = gr.Timer(POLL_EVERY_S, active=True)
        self._wire(language, app)

    def _account_choices(self) -> list[tuple[str, str]]:
        try:
            return [(f"{a.masked_name} · {a.account_id} · ¥{a.current_limit:,}", a.account_id)
                    for a in self.flow.accounts()]
        except Exception:  # the picker must never stop the page from loading
            log.exception("could not list accounts")
            return []

    def _wire(self, language: gr.Radio, app: gr.Blocks) -> None:
        outputs = [self.session, self.chat, self.card, self.notice]
        rows = [self.account_row, self.who_row, self.who]
        self.start_button.click(self.start, [self.account, self.account_id, language, self.session], outputs,
                                api_visibility="private").then(
            self.remember, [self.session], [self.saved], api_visibility="private").then(
            self.show_who, [self.session], rows, api_visibility="private")
        app.load(self.resume, [self.saved, language, self.session], outputs + [language],
                 api_visibility="private").then(self.show_who, [self.session], rows, api_visibility="private")
        self.switch_button.click(lambda: (gr.Row(visible=True), gr.Row(visible=False)), None,
                                 [self.account_row, self.who_row], api_visibility="private")
        self.message.submit(self.submit, [self.message, language, self.session],
                            outputs + [self.message], api_visibility="private", concurrency_id="pipeline",
                            concurrency_limit=2, show_progress="hidden")
        self.timer.tick(self.poll, [self.session, language], outputs, api_visibility="private",
                        show_progress="hidden", queue=False)
        language.change(self.switch_language, [language, self.session], outputs, api_visibility="private")
        # the chat's trash button only empties this view; the conversation is the record, so it comes back
        self.chat.clear(self.restore, [self.session, language], outputs, api_visibility="private")

    # ---- event handlers -------------------------------------------------------------------------------------

    def start(self, account_choice: str | None, account_id: str, lang: str, session: ApplicantSession):
        lang = normalise(lang)
        chosen = (account_id or "").strip() or (account_choice or "")
        if not chosen:
            return session, gr.skip(), gr.skip(), t(lang, "start_first")
        try:
            result = self.flow.start(chosen, lang)
        except UserInputError:
            return session, gr.skip(), gr.skip(), t(lang, "unknown_account")
        except Exception as error:
            log.exception("start failed")
            return session, gr.skip(), gr.skip(), t(lang, "service_error", error=type(error).__name__)
        session = ApplicantSession(thread_id=result.thread_id, account_id=chosen, case_id=result.case_id, lang=lang)
        return self._refresh(session, lang, result)

    def show_who(self, session: ApplicantSession):
        """Once a conversation runs, the account picker folds into one line (room for the chat on a phone)."""
        if not session.thread_id:
            return gr.skip(), gr.skip(), gr.skip()
        masked = next((a.masked_name for a in self.flow.accounts() if a.account_id == session.account_id), "")
        return gr.Row(visible=False), gr.Row(visible=True), f"**{masked}** · `{session.account_id}`"

    @staticmethod
    def remember(session: ApplicantSession) -> dict:
        return {"thread_id": session.thread_id, "account_id": session.account_id} if session.thread_id else {}

    def resume(self, saved: dict | None, lang: str, session: ApplicantSession):
        """Back on the page: continue this browser's conversation where it stopped."""
        saved = saved or {}
        nothing = (gr.skip(),) * 5
        if session.thread_id or not saved.get("thread_id") or not saved.get("account_id"):
            return nothing
        try:
            result = self.flow.start(saved["account_id"], lang, thread_id=saved["thread_id"])
            session = ApplicantSession(thread_id=result.thread_id, account_id=saved["account_id"],
                                       case_id=result.case_id, lang=result.language)
            session.seen = len(self.flow.transcript(result.thread_id))
            for reply in result.replies[:1]:  # "welcome back" is said, not stored
                session.pin({"role": "assistant", "content": reply})
            return *self._refresh(session, result.language, result), gr.Radio(value=result.language)
        except Exception:  # an unknown or expired thread: the applicant simply starts again
            log.info("could not resume a saved conversation", exc_info=True)
            return nothing

    def submit(self, message: dict | None, lang: str, session: ApplicantSession) -> Iterator[tuple]:
        lang = normalise(lang)
        message = message or {}
        text = (message.get("text") or "").strip()
        try:
            files = [uploaded_path(f if isinstance(f, str) else f.get("path")) for f in message.get("files") or []]
        except NotAnUpload:
            log.warning("refused a file path outside the upload folder")
            files = []
        if session.thread_id is None:
            yield session, gr.skip(), gr.skip(), t(lang, "start_first"), gr.skip()
            return
        if not text and not files:
            yield session, gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        session.busy = True
        transcript = self.flow.transcript(session.thread_id)
        shown = render_chat(transcript, session, lang)
        if text:
            shown.append({"role": "user", "content": text})
        yield session, shown, gr.skip(), "", gr.MultimodalTextbox(value=None)
        result: TurnResult | None = None
        try:
            if text:
                result = self.flow.send(session.thread_id, text)
                session.seen = len(self.flow.transcript(session.thread_id))
            if files:
                check = self.flow.check(files, lang)
                for problem in check.problems:
                    session.pin(notice_message(problem))
                for accepted in check.accepted:
                    session.pin(photo_message(accepted.path))
                if check.accepted:
                    for update in self._analyse(session, lang, check):
                        if isinstance(update, TurnResult):
                            result = update
                        else:
                            yield session, update, gr.skip(), "", gr.skip()
        except UserInputError as error:
            session.pin(notice_message(str(error)))
        except Exception as error:
            log.exception("applicant turn failed")
            session.pin(notice_message(t(lang, "service_error", error=type(error).__name__)))
        finally:
            session.busy = False
        yield *self._refresh(session, lang, result), gr.skip()

    def _analyse(self, session: ApplicantSession, lang: str, check) -> Iterator[list[dict] | TurnResult]:
        """Runs the upload in a worker thread and yields the chat with each progress line as it arrives."""
        lines: queue.Queue[str] = queue.Queue()
        outcome: dict[str, object] = {}
        box = session.pin(progress_message([], lang, done=False))
        progress: list[str] = []

        def work() -> None:
            try:
                outcome["result"] = self.flow.upload(session.thread_id, check, on_progress=lines.put)
            except BaseException as error:  # handed to the event thread, which reports it
                outcome["error"] = error

        worker = threading.Thread(target=work, name="credlift-upload", daemon=True)
        worker.start()
        transcript = self.flow.transcript(session.thread_id)
        yield render_chat(transcript, session, lang)
        while worker.is_alive() or not lines.empty():
            try:
                progress.append(lines.get(timeout=0.25))
            except queue.Empty:
                continue
            box.update(progress_message(progress, lang, done=False))
            yield render_chat(transcript, session, lang)
        worker.join()
        box.update(progress_message(progress, lang, done=True))
        if "error" in outcome:
            raise outcome["error"]  # type: ignore[misc]
        result = outcome["result"]
        if not progress and result.progress:
            box.update(progress_message(list(result.progress), lang, done=True))
        yield result

    def poll(self, session: ApplicantSession, lang: str):
        """Picks up what happened elsewhere (a staff decision, a helpdesk reply) without a page reload."""
        if session.thread_id is None or session.busy:
            return gr.skip(), gr.skip(), gr.skip(), gr.skip()
        try:
            if len(self.flow.transcript(session.thread_id)) == session.seen:
                return gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return self._refresh(session, normalise(lang), None)
        except Exception:
            log.exception("poll failed")
            return gr.skip(), gr.skip(), gr.skip(), gr.skip()

    def restore(self, session: ApplicantSession, lang: str):
        if session.thread_id is None:
            return gr.skip(), gr.skip(), gr.skip(), gr.skip()
        return self._refresh(session, normalise(lang), None)

    def switch_language(self, lang: str, session: ApplicantSession):
        lang = normalise(lang)
        if session.thread_id is None:
            return session, gr.skip(), gr.skip(), gr.skip()
        try:
            self.flow.set_language(session.thread_id, lang)
        except Exception:
            log.exception("set_language failed")
        session.lang = lang
        return self._refresh(session, lang, None)

    def _refresh(self, session: ApplicantSession, lang: str, result: TurnResult | None):
        """Re-reads the transcript and the case status; returns (session, chat, card, notice)."""
        transcript = self.flow.transcript(session.thread_id)
        session.seen = len(transcript)
        status = self.flow.status(session.thread_id)
        session.awaiting = status.awaiting
        session.case_id = status.case_id or session.case_id
        decision = status.decision or (result.decision if result else None)
        titles = self.clause_titles(decision_clause_ids(decision), lang) if decision else None
        card = render_result_card(decision, lang, titles)
        notice = {"review": t(lang, "awaiting_review"), "staff": t(lang, "awaiting_staff")}.get(status.awaiting, "")
        return session, render_chat(transcript, session, lang), card, notice
