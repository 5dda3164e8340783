"""The credlift web app: one Gradio page with the applicant chat and the helpdesk console, plus named API endpoints.

It talks only to the agent's two facades over one core (`CredliftService.applicant`, agent/applicant.py, for the chat
and the applicant API; `CredliftService.helpdesk`, agent/helpdesk.py, for the console and the staff API); everything
it shows comes from them.
"""
from __future__ import annotations

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402

from credlift.settings import Settings, get_settings  # noqa: E402
from credlift.ui.web.api import register_api  # noqa: E402
from credlift.ui.web.applicant_flow import ApplicantFlow  # noqa: E402
from credlift.ui.web.applicant_view import ApplicantView  # noqa: E402
from credlift.ui.web.auth import StaffSessions  # noqa: E402
from credlift.ui.web.helpdesk_flow import HelpdeskFlow  # noqa: E402
from credlift.ui.web.helpdesk_view import HelpdeskView  # noqa: E402
from credlift.ui.web.i18n import LANGUAGE_CHOICES  # noqa: E402
from credlift.ui.web.labels import Labeller  # noqa: E402
from credlift.ui.web.theme import app_css, build_theme  # noqa: E402

# Gradio's own upload cap: a backstop above max_upload_mb, so oversized photos still reach the app's check
# and get a sentence in the chat instead of a bare HTTP error.
UPLOAD_BACKSTOP_FACTOR = 4


def build_app(service=None, settings: Settings | None = None) -> gr.Blocks:
    settings = settings or get_settings()
    if service is None:
        from credlift.agent.service import CredliftService

        service = CredliftService(settings=settings)
    lang = settings.language
    labeller = Labeller(lang)
    applicant_flow = ApplicantFlow(service.applicant, settings)
    helpdesk_flow = HelpdeskFlow(service.helpdesk, StaffSessions(service.helpdesk.authenticate_staff))
    with gr.Blocks(title="credlift", analytics_enabled=False, fill_width=False) as app:
        register_api(applicant_flow, helpdesk_flow)  # first, so the public names win over the page's private events
        with gr.Row(elem_id="cl-header", equal_height=True):
            title = labeller.add(gr.Markdown(elem_id="cl-title"), value="app_title")
            language = gr.Radio(LANGUAGE_CHOICES, value=lang, show_label=False, elem_id="cl-language",
                                container=False, scale=0, min_width=180)
        tagline = labeller.add(gr.Markdown(elem_id="cl-tagline"), value="app_tagline")
        with gr.Tabs(elem_id="cl-tabs"):
            with gr.Tab(id="apply", elem_id="cl-tab-apply") as apply_tab:
                ApplicantView(applicant_flow, labeller, language, app,
                              browser_secret=session_secret(settings),
                              clause_titles=_clause_titles(service))
            with gr.Tab(id="helpdesk", elem_id="cl-tab-helpdesk") as helpdesk_tab:
                HelpdeskView(helpdesk_flow, labeller, language)
        labeller.add(apply_tab, label="tab_applicant")
        labeller.add(helpdesk_tab, label="tab_helpdesk")
        language.change(labeller.updates, [language], labeller.components, api_visibility="private",
                        show_progress="hidden")
        del title, tagline
    app.queue(default_concurrency_limit=4)
    return app


def session_secret(settings: Settings) -> str:
    from credlift.crypto import session_secret as generated_or_configured

    return generated_or_configured(settings)


def _clause_titles(service):
    """Clause titles for the result card when the service offers them; ids alone otherwise."""
    lookup = getattr(service, "clause_titles", None)
    if lookup is None:
        return None
    return lambda ids, lang: lookup(ids, lang)


def launch_options(settings: Settings, host: str | None = None, port: int | None = None) -> dict:
    return {
        "server_name": host or settings.ui_host,
        "server_port": port if port is not None else settings.ui_port,
        "max_file_size": f"{int(settings.max_upload_mb * UPLOAD_BACKSTOP_FACTOR)}mb",
        "theme": build_theme(),
        "css": app_css(),
        "footer_links": ["api"],
        "show_error": False,
        "ssr_mode": False,
        "mcp_server": False,
        "quiet": True,
    }


def serve(host: str | None = None, port: int | None = None, settings: Settings | None = None,
          block: bool = True, service=None):
    """Starts the app; with block=False returns (app, url) and serves from a background thread."""
    settings = settings or get_settings()
    app = build_app(service=service, settings=settings)
    _, url, _ = app.launch(prevent_thread_lock=not block, **launch_options(settings, host, port))
    return app, url
