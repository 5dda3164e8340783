"""The staff console's action sentence: only actions write it, so a case re-read under load cannot wipe it.

Gradio runs different listeners of one browser session concurrently. Before, every case read (the sign-in chain,
the queue refresh, the case picker) also wrote the sentence (""), and a read still in flight on a loaded machine
could clear a "review completed" that had just landed (seen once in a full run of the browser suite).
"""
from __future__ import annotations

import gradio as gr

from credlift.ui.web.helpdesk_flow import StaffDenied
from credlift.ui.web.helpdesk_view import HelpdeskView
from credlift.ui.web.i18n import t
from credlift.ui.web.labels import Labeller
from tests.ui.test_ui_case_page import _view

TOKEN = "staff-token"


class _Flow:
    """Reads the case as the service returns it; a resolve is refused (the note is missing)."""

    def __init__(self, cases=()):
        self.cases = list(cases)
        self.resolved = []

    def case(self, token, case_id, reveal=False):
        if token != TOKEN:
            raise StaffDenied("not_signed_in")
        return _view(revealed=reveal)

    def audit(self, token, case_id):
        return []

    def queue(self, token, all_cases=False):
        return self.cases

    def resolve(self, token, case_id, approve, note):
        self.resolved.append((case_id, approve, note))
        raise StaffDenied("not_signed_in")


def _console(flow) -> HelpdeskView:
    with gr.Blocks():
        language = gr.Radio(["中文", "English"], value="中文")
        return HelpdeskView(flow, Labeller("zh"), language)


def test_reading_a_case_leaves_the_action_sentence_alone():
    view = _console(_Flow())
    page = view.open_case(TOKEN, "case-1", "zh")
    assert len(page) == len(view._case_outputs()) + 1
    assert page[0]  # the transcript was drawn
    assert page[-1] == gr.skip()  # a read: whatever an action said stays on the page


def test_an_action_a_reveal_and_a_refusal_each_write_their_sentence():
    flow = _Flow()
    view = _console(flow)
    sentence = len(view._case_outputs())
    resolved = view.make_resolver(True)(TOKEN, "case-1", "", "zh")
    assert flow.resolved == [("case-1", True, "")]
    assert t("zh", "not_signed_in") in resolved[sentence] and "cl-bad" in resolved[sentence]
    assert view.reveal(TOKEN, "case-1", "zh")[sentence] == t("zh", "revealed")
    assert t("zh", "not_signed_in") in view.open_case("someone-else", "case-1", "zh")[sentence]


def test_the_queue_speaks_in_its_own_line_not_in_the_action_sentence():
    view = _console(_Flow(cases=[]))
    queue, case, queue_line = view.load_queue(TOKEN, False, None, "zh")
    assert queue_line == t("zh", "queue_empty")
    assert (view.queue_message.elem_id, view.action_message.elem_id) == ("cl-queue-message", "cl-action-message")
    summary = _view(False).summary
    _, picker, queue_line = _console(_Flow(cases=[summary])).load_queue(TOKEN, False, None, "zh")
    assert queue_line == "" and picker.value == summary.case_id
