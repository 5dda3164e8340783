"""The helpdesk console: staff sign-in, the review queue, a case page with evidence, and audited actions."""
from __future__ import annotations

import logging
from collections.abc import Callable
from html import escape

import gradio as gr

from credlift.agent.approvals import ReviewRefused
from credlift.errors import UserInputError
from credlift.ui.web import case_page
from credlift.ui.web.auth import SignInRefused
from credlift.ui.web.helpdesk_flow import HelpdeskFlow, StaffDenied
from credlift.ui.web.i18n import normalise, t
from credlift.ui.web.labels import Labeller

log = logging.getLogger(__name__)


def _good(text: str) -> str:
    return f'<span class="cl-good">{escape(text)}</span>'


def _bad(text: str) -> str:
    return f'<span class="cl-bad">{escape(text)}</span>'


QUEUE_REFRESH_S = 10.0


def client_address(request) -> str:
    """The caller's address as the server sees it ('' when unknown): staff lockouts are per user and address."""
    client = getattr(request, "client", None)
    return str(getattr(client, "host", "") or "")


class HelpdeskView:
    """Builds the helpdesk tab inside an open gr.Blocks and wires its events."""

    def __init__(self, flow: HelpdeskFlow, labeller: Labeller, language: gr.Radio):
        self.flow = flow
        self.token = gr.State(None)
        self.queue_seen = gr.State(None)  # the queue rows last shown, so an unchanged queue is not redrawn
        self.queue_timer = gr.Timer(QUEUE_REFRESH_S, active=True)
        with gr.Column(visible=True, elem_id="cl-staff-login", elem_classes=["cl-narrow"]) as self.login_box:
            labeller.add(gr.Markdown(), value="staff_sign_in")
            self.user = labeller.add(gr.Textbox(max_lines=1, elem_id="cl-staff-user"), label="staff_user")
            self.password = labeller.add(gr.Textbox(type="password", max_lines=1, elem_id="cl-staff-password"),
                                         label="staff_password")
            self.sign_in_button = labeller.add(gr.Button(variant="primary", elem_id="cl-staff-sign-in"),
                                               value="sign_in")
            self.login_message = gr.Markdown("", elem_id="cl-staff-login-message")
        with gr.Column(visible=False, elem_id="cl-console") as self.console:
            with gr.Row(equal_height=True):
                self.signed_in = gr.Markdown("", elem_id="cl-signed-in")
                self.sign_out_button = labeller.add(gr.Button(size="sm", scale=0, min_width=90), value="sign_out")
            with gr.Row(equal_height=True):
                self.all_cases = labeller.add(gr.Checkbox(value=False, elem_id="cl-all-cases"), label="all_cases")
                self.refresh_button = labeller.add(gr.Button(size="sm", scale=0, min_width=90, elem_id="cl-refresh"),
                                                   value="refresh")
            self.queue = labeller.add(gr.Dataframe(headers=case_page.queue_headers(labeller.lang), interactive=False,
                                                   elem_id="cl-queue", wrap=True, max_height=260), label="queue")
            self.case = labeller.add(gr.Dropdown(choices=[], value=None, elem_id="cl-case", interactive=True),
                                     label="case", info="case_placeholder")
            self.queue_message = gr.Markdown("", elem_id="cl-queue-message")  # the queue's own state (empty, denied)
            # the sentence of the last staff action; only actions write it, so a case page re-read under load
            # (sign-in chain, timer, picker) can never wipe "review completed" after it landed
            self.action_message = gr.Markdown("", elem_id="cl-action-message")
            with gr.Row():
                with gr.Column(scale=1, min_width=300):
                    self.transcript = labeller.add(
                        gr.Chatbot(height=360, elem_id="cl-case-transcript", buttons=[], feedback_options=None,
                                   group_consecutive_messages=False,
                                   layout="bubble"), label="transcript")
                    self.four_eyes = gr.Markdown("", elem_id="cl-four-eyes")
                    self.note = labeller.add(gr.Textbox(max_lines=3, elem_id="cl-note"), label="note",
                                             placeholder="note_placeholder")
                    with gr.Row():
                        self.approve_button = labeller.add(gr.Button(variant="primary", elem_id="cl-approve"),
                                                           value="approve")
                        self.decline_button = labeller.add(gr.Button(variant="stop", elem_id="cl-decline"),
                                                           value="decline")
                    self.reply_text = labeller.add(gr.Textbox(lines=2, elem_id="cl-reply"), label="reply",
                                                   placeholder="reply_placeholder")
                    with gr.Row():
                        self.reply_button = labeller.add(gr.Button(elem_id="cl-send-reply"), value="send_reply")
                        self.take_over_button = labeller.add(gr.Button(elem_id="cl-take-over"), value="take_over")
                        self.hand_back_button = labeller.add(gr.Button(elem_id="cl-hand-back"), value="hand_back")
                with gr.Column(scale=1, min_width=300):
                    self.overlay = labeller.add(gr.Image(interactive=False, elem_id="cl-overlay", height=320,
                                                         buttons=["fullscreen"]), label="upload_overlay")
                    self.verdict = gr.Markdown("", elem_id="cl-verdict")
                    self.signals = labeller.add(
                        gr.Dataframe(headers=case_page.signal_headers(labeller.lang), interactive=False, wrap=True,
                                     elem_id="cl-signals", max_height=240), label="signals")
                    self.fields = labeller.add(
                        gr.Dataframe(headers=case_page.field_headers(labeller.lang), interactive=False, wrap=True,
                                     elem_id="cl-fields", max_height=300), label="fields")
                    self.reveal_button = labeller.add(gr.Button(size="sm", elem_id="cl-reveal"), value="reveal")
                    self.validation = gr.Markdown("", elem_id="cl-validation")
                    with gr.Accordion(open=True) as decision_box:
                        self.decision_table = gr.Dataframe(headers=case_page.record_headers(labeller.lang),
                                                           interactive=False, wrap=True, elem_id="cl-decision-table")
                        with gr.Accordion(open=False) as json_box:
                            self.decision = gr.JSON(elem_id="cl-decision")
                        labeller.add(json_box, label="decision_json")
                    labeller.add(decision_box, label="decision_record")
                    with gr.Accordion(open=False) as clauses_box:
                        self.clauses = gr.Markdown("", elem_id="cl-clauses")
                    labeller.add(clauses_box, label="case_clauses")
                    with gr.Accordion(open=False) as applicant_box:
                        self.applicant = gr.JSON(elem_id="cl-applicant")
                    labeller.add(applicant_box, label="applicant_profile")
            with gr.Accordion(open=False) as audit_box:
                self.audit = gr.Dataframe(headers=case_page.audit_headers(labeller.lang), interactive=False, wrap=True, elem_id="cl-audit",
                                          max_height=260)
            labeller.add(audit_box, label="audit_log")
        self._wire(language)

    # ---- wiring ---------------------------------------------------------------------------------------------

    def _case_outputs(self) -> list:
        return [self.transcript, self.overlay, self.verdict, self.signals, self.fields, self.validation, self.decision,
                self.clauses, self.applicant, self.audit, self.four_eyes, self.approve_button, self.decline_button,
                self.decision_table]

    def _wire(self, language: gr.Radio) -> None:
        private = {"api_visibility": "private"}
        queue_outputs = [self.queue, self.case, self.queue_message]
        sign_in_inputs = [self.user, self.password, language]
        sign_in_outputs = [self.token, self.login_box, self.console, self.signed_in, self.login_message, self.password]
        queue_inputs = [self.token, self.all_cases, self.case, language]
        open_inputs = [self.token, self.case, language]
        case_outputs = self._case_outputs() + [self.action_message]
        for sign_in_trigger in (self.sign_in_button.click, self.password.submit):
            sign_in_trigger(self.sign_in, sign_in_inputs, sign_in_outputs, **private).then(
                self.load_queue, queue_inputs, queue_outputs, **private).then(
                self.open_case, open_inputs, case_outputs, **private)
        for queue_trigger in (self.refresh_button.click, self.all_cases.input):
            queue_trigger(self.load_queue, queue_inputs, queue_outputs, **private).then(
                self.open_case, open_inputs, case_outputs, **private)
        self.sign_out_button.click(self.sign_out, [self.token],
                                   [self.token, self.login_box, self.console, self.action_message], **private)
        # another case picked: the last action's sentence goes at once, in the browser, before any server event
        self.case.input(None, None, [self.action_message], js="() => ''").then(
            self.open_case, open_inputs, case_outputs, **private)
        self.reveal_button.click(self.reveal, [self.token, self.case, language],
                                 self._case_outputs() + [self.action_message], **private)
        after_action = {"fn": self.load_queue, "inputs": queue_inputs, "outputs": queue_outputs, **private}
        for button, approve in ((self.approve_button, True), (self.decline_button, False)):
            button.click(self.make_resolver(approve), [self.token, self.case, self.note, language],
                         self._case_outputs() + [self.action_message, self.note], **private).then(**after_action)
        self.reply_button.click(self.reply, [self.token, self.case, self.reply_text, language],
                                self._case_outputs() + [self.action_message, self.reply_text], **private)
        self.take_over_button.click(self.make_simple_action("take_over"), [self.token, self.case, language],
                                    self._case_outputs() + [self.action_message], **private).then(**after_action)
        self.hand_back_button.click(self.make_simple_action("hand_back"), [self.token, self.case, language],
                                    self._case_outputs() + [self.action_message], **private).then(**after_action)
        self.queue_timer.tick(self.watch_queue, [self.token, self.all_cases, self.case, language, self.queue_seen],
                              [self.queue, self.case, self.queue_message, self.queue_seen], show_progress="hidden",
                              **private)
        language.change(self.relabel_tables, [language], [self.queue, self.signals, self.fields], **private)

    # ---- handlers -------------------------------------------------------------------------------------------

    @staticmethod
    def relabel_tables(lang: str):
        lang = normalise(lang)
        return (gr.Dataframe(headers=case_page.queue_headers(lang)),
                gr.Dataframe(headers=case_page.signal_headers(lang)),
                gr.Dataframe(headers=case_page.field_headers(lang)))

    def sign_in(self, user: str, password: str, lang: str, request: gr.Request = None):
        lang = normalise(lang)
        try:
            session = self.flow.sign_in(user, password, client_address(request))
        except SignInRefused as refused:
            return (None, gr.skip(), gr.skip(), gr.skip(), _bad(t(lang, refused.key, **refused.values)),
                    gr.Textbox(value=""))
        return (session.token, gr.Column(visible=False), gr.Column(visible=True),
                t(lang, "signed_in_as", user=session.user, role=session.role), "", gr.Textbox(value=""))

    def sign_out(self, token: str | None):
        self.flow.sign_out(token)
        return None, gr.Column(visible=True), gr.Column(visible=False), ""

    def load_queue(self, token: str | None, all_cases: bool, current: str | None, lang: str):
        lang = normalise(lang)
        if not token:  # a refused sign-in: nothing to load
            return gr.skip(), gr.skip(), gr.skip()
        try:
            cases = self.flow.queue(token, all_cases=all_cases)
        except StaffDenied as denied:
            return gr.skip(), gr.skip(), t(lang, denied.key, **denied.values)
        choices = case_page.case_choices(cases, lang)
        ids = [value for _, value in choices]
        if current and current not in ids:  # a case that just left the queue stays open for the staff member
            choices.append((current, current))
            ids.append(current)
        selected = current or (ids[0] if ids else None)
        return (gr.Dataframe(value=case_page.queue_rows(cases, lang), headers=case_page.queue_headers(lang)),
                gr.Dropdown(choices=choices, value=selected),
                "" if cases else t(lang, "queue_empty"))

    def watch_queue(self, token: str | None, all_cases: bool, current: str | None, lang: str, seen):
        """New cases appear without a click; nothing is redrawn while the queue stays the same."""
        if not token or self.flow.sessions.get(token) is None:
            return gr.skip(), gr.skip(), gr.skip(), gr.skip()
        rows = case_page.queue_rows(self.flow.queue(token, all_cases=all_cases), normalise(lang))
        if rows == seen:
            return gr.skip(), gr.skip(), gr.skip(), gr.skip()
        return *self.load_queue(token, all_cases, current, lang), rows

    def open_case(self, token: str | None, case_id: str | None, lang: str, reveal: bool = False, message: str = ""):
        """The case page, and for the action message: `message` (an action's sentence), "revealed", a refusal,
        or nothing at all (gr.skip) when the case is only (re)read: a read never clears what an action wrote."""
        lang = normalise(lang)
        if not case_id:
            return *[gr.skip()] * len(self._case_outputs()), (message or gr.skip())
        try:
            view = self.flow.case(token, case_id, reveal=reveal)
            audit = self.flow.audit(token, case_id)
        except StaffDenied as denied:
            return *[gr.skip()] * len(self._case_outputs()), t(lang, denied.key, **denied.values)
        except UserInputError as error:
            return *[gr.skip()] * len(self._case_outputs()), _bad(str(error))
        return (case_page.transcript_messages(view, lang), case_page.overlay_image(view),
                case_page.verdict_markdown(view, lang), gr.Dataframe(value=case_page.signal_rows(view, lang)),
                gr.Dataframe(value=case_page.field_rows(view, lang), headers=case_page.field_headers(lang)),
                case_page.validation_markdown(view, lang),
                case_page.decision_record(view), case_page.clauses_markdown(view, lang),
                case_page.applicant_record(view),
                gr.Dataframe(value=case_page.audit_rows(audit, lang), headers=case_page.audit_headers(lang)),
                case_page.four_eyes_markdown(view, lang), gr.Button(interactive=case_page.may_resolve(view)),
                gr.Button(interactive=case_page.may_resolve(view)),
                gr.Dataframe(value=case_page.decision_rows(view, lang), headers=case_page.record_headers(lang)),
                message or (t(lang, "revealed") if view.revealed else gr.skip()))

    def reveal(self, token: str | None, case_id: str | None, lang: str):
        return self.open_case(token, case_id, lang, reveal=True)

    def _perform(self, token: str | None, case_id: str | None, lang: str, action: Callable[[], str]):
        """Runs one staff action; returns the re-read case page with its sentence, and whether it was done."""
        try:
            if not case_id:
                raise StaffDenied("no_case")
            message, done = _good(action()), True
        except (StaffDenied, ReviewRefused) as denied:
            message, done = _bad(t(lang, denied.key, **denied.values)), False
        except UserInputError as error:
            message, done = _bad(str(error)), False
        return self.open_case(token, case_id, lang, message=message), done

    def make_resolver(self, approve: bool):
        def resolve(token: str | None, case_id: str | None, note: str, lang: str):
            lang = normalise(lang)

            def action() -> str:
                result = self.flow.resolve(token, case_id, approve=approve, note=note or "")
                if result.second_approval_needed:
                    return t(lang, "done_first_approval")
                kind = result.decision.kind if result.decision else ("approve" if approve else "decline")
                return t(lang, "done_resolved", decision=t(lang, f"decision_{kind}"))

            page, done = self._perform(token, case_id, lang, action)
            return *page, gr.Textbox(value="") if done else gr.skip()
        return resolve

    def reply(self, token: str | None, case_id: str | None, text: str, lang: str):
        lang = normalise(lang)

        def action() -> str:
            if not (text or "").strip():
                raise StaffDenied("empty_reply")
            self.flow.reply(token, case_id, text)
            return t(lang, "done_reply")

        page, done = self._perform(token, case_id, lang, action)
        return *page, gr.Textbox(value="") if done else gr.skip()

    def make_simple_action(self, name: str):
        """take_over / hand_back: the flow method of that name, then the case page again."""
        def act(token: str | None, case_id: str | None, lang: str):
            lang = normalise(lang)

            def action() -> str:
                getattr(self.flow, name)(token, case_id)
                return t(lang, f"done_{name}")

            return self._perform(token, case_id, lang, action)[0]
        return act
