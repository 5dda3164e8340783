"""Fixtures for the issuer tests: the local issuer simulator on an ephemeral port and a chat service pointed at
it (one data directory for the module; fresh accounts per test)."""
from __future__ import annotations

import os
import uuid

import pytest


@pytest.fixture(scope="module")
def running_simulator():
    from credlift.evals.issuer_simulator import IssuerSimulator

    with IssuerSimulator() as simulator:
        yield simulator


@pytest.fixture()
def issuer_simulator(running_simulator):
    """The module's simulator, emptied and up at the start of each test."""
    running_simulator.books.clear()
    running_simulator.state = "up"
    running_simulator.calls.clear()
    return running_simulator


@pytest.fixture(scope="module")
def chat_service(running_simulator, tmp_path_factory):
    from credlift.agent.service import CredliftService
    from credlift.settings import Settings

    settings = Settings(data_dir=tmp_path_factory.mktemp("issuer-chat"), issuer_base_url=running_simulator.base_url,
                        issuer_max_attempts=2, issuer_backoff_s=0.0, issuer_timeout_s=60.0)
    previous = os.environ.get("CREDLIFT_DATA_DIR")
    os.environ["CREDLIFT_DATA_DIR"] = str(settings.data_dir)  # tools that read settings themselves
    from credlift.settings import reset_settings_cache

    reset_settings_cache()
    service = CredliftService(settings)
    yield service
    service.close()
    if previous is None:
        os.environ.pop("CREDLIFT_DATA_DIR", None)
    else:
        os.environ["CREDLIFT_DATA_DIR"] = previous
    reset_settings_cache()


@pytest.fixture()
def fresh_account(chat_service):
    def make(base: str = "demo-graduate-03"):  # 14 months with the card: under the approval line
        profile = next(p for p in chat_service.accounts() if p.account_id == base)
        return chat_service.create_account(profile.model_copy(update={"account_id": f"i-{base}-{uuid.uuid4().hex[:6]}"}))

    return make
