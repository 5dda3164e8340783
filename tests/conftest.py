"""Shared fixtures: every test runs against its own data directory, offline, with analytics off."""
from __future__ import annotations

import os

import pytest

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture()
def data_dir(tmp_path, monkeypatch):
    """A fresh CREDLIFT_DATA_DIR for this test; settings re-read."""
    from credlift.settings import reset_settings_cache

    directory = tmp_path / "data"
    monkeypatch.setenv("CREDLIFT_DATA_DIR", str(directory))
    reset_settings_cache()
    yield directory
    reset_settings_cache()


@pytest.fixture()
def settings(data_dir):
    from credlift.settings import get_settings

    return get_settings()
