"""One live web app per test session (real CredliftService on a throwaway data dir), a headless chromium, and
synthetic certificate photos. Every wait is bounded."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from local_servers import free_port

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
WAIT_MS = 180_000  # every browser wait: a bound for a busy machine (slow is not broken), never a speed test


@pytest.fixture(scope="session", autouse=True)
def patient_assertions():
    """Playwright's expect() waits 5 s by default; a loaded 2-core machine needs longer."""
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)


class LiveApp:
    def __init__(self, url: str, service, settings):
        self.url = url
        self.service = service
        self.settings = settings

    def account(self, account_id: str):
        return next(p for p in self.service.accounts() if p.account_id == account_id)

    def case_of(self, thread_id: str) -> str:
        return self.service.case_for_thread(thread_id)


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    from credlift.settings import reset_settings_cache

    data_dir = tmp_path_factory.mktemp("ui-data")
    previous = os.environ.get("CREDLIFT_DATA_DIR")
    os.environ["CREDLIFT_DATA_DIR"] = str(data_dir)
    reset_settings_cache()
    from credlift.agent.service import CredliftService
    from credlift.settings import get_settings
    from credlift.ui.app import build_app, launch_options

    settings = get_settings()
    service = CredliftService(settings=settings)
    app = build_app(service=service, settings=settings)
    _, url, _ = app.launch(prevent_thread_lock=True, **launch_options(settings, "127.0.0.1", free_port()))
    try:
        yield LiveApp(url, service, settings)
    finally:
        app.close()
        service.close()
        if previous is None:
            os.environ.pop("CREDLIFT_DATA_DIR", None)
        else:
            os.environ["CREDLIFT_DATA_DIR"] = previous
        reset_settings_cache()


@pytest.fixture(scope="session")
def certificate_photo(live_app, tmp_path_factory):
    """make(account_id, tamper, seed, total_score) -> a CET-6 photo in that account holder's name and ID number."""
    from credlift.evals.synth import SynthSpec, render_credential

    folder = tmp_path_factory.mktemp("photos")

    def make(account_id: str, tamper: str = "none", seed: int = 7, total_score: int | None = None) -> Path:
        path = folder / f"cet6-{account_id}-{tamper}-{seed}.jpg"
        if not path.exists():
            holder = live_app.account(account_id)
            fields = {"holder_name": holder.name, "id_number": holder.id_number}
            if total_score is not None:  # a score in the increase band, so the decision does not hinge on the seed
                fields["total_score"] = total_score
            spec = SynthSpec(type="cet6", seed=seed, capture="photo", tamper=tamper, fields=fields)
            path.write_bytes(render_credential(spec).image_bytes)
        return path

    return make


@pytest.fixture(scope="session")
def trade_proof(live_app, tmp_path_factory):
    """make(account_id, credential_type, seed, capture) -> an honest credential image of any registered type in that
    account holder's name, with the holder's fields `credlift synth --holder-from-account` prints (name, ID
    number, birth date, gender, dates that fit the holder's age). An app's page comes out as its screenshot."""
    from credlift.evals.synth import SynthSpec, render_credential
    from credlift.ui.commands.synth import holder_fields

    folder = tmp_path_factory.mktemp("proofs")

    def make(account_id: str, credential_type: str, seed: int, capture: str = "photo") -> Path:
        fields = holder_fields(live_app.account(account_id), [credential_type])[credential_type]
        sample = render_credential(SynthSpec(type=credential_type, seed=seed, capture=capture, fields=fields))
        path = folder / f"{credential_type}-{account_id}-{seed}.{sample.extension}"
        path.write_bytes(sample.image_bytes)
        return path

    return make


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium, headless, on a fresh profile (Playwright's launch makes a throwaway user-data-dir)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture()
def open_page(browser):
    """open_page() -> a page in its own browser context (own cookies and localStorage: another person)."""
    contexts = []

    def open_():
        context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
        context.set_default_timeout(WAIT_MS)
        contexts.append(context)
        return context.new_page()

    try:
        yield open_
    finally:
        for context in contexts:
            context.close()


@pytest.fixture()
def page(open_page):
    return open_page()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
