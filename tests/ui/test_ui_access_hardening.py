"""Access hardening: staff lockout per user and address with an expiring, doubling backoff; the browser-state
secret generated at first start; demo secrets refused beyond localhost."""
from __future__ import annotations

import stat
import sys

import pytest

from credlift.ui.web.auth import FAILURE_WINDOW_S, LOCKOUT_S, MAX_FAILURES, SignInRefused, StaffSessions

USERS = {("helpdesk", "helpdesk-demo"): "agent"}


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def _fail(sessions, address, times):
    for _ in range(times):
        with pytest.raises(SignInRefused):
            sessions.sign_in("helpdesk", "guess", address)


def test_a_lockout_holds_for_the_attacking_address_only_and_backs_off_then_expires():
    clock = Clock()
    sessions = StaffSessions(lambda user, password: USERS.get((user, password)), clock=clock)
    _fail(sessions, "203.0.113.9", MAX_FAILURES)
    with pytest.raises(SignInRefused) as refused:
        sessions.sign_in("helpdesk", "helpdesk-demo", "203.0.113.9")
    assert refused.value.key == "locked_out"
    # the colleague at their own desk is not locked out by someone else's guesses
    assert sessions.sign_in("helpdesk", "helpdesk-demo", "10.0.0.5").role == "agent"
    # after the first lockout, one more failure doubles it
    clock.now += LOCKOUT_S + 1
    _fail(sessions, "203.0.113.9", 1)
    clock.now += LOCKOUT_S + 1
    with pytest.raises(SignInRefused) as again:
        sessions.sign_in("helpdesk", "helpdesk-demo", "203.0.113.9")
    assert again.value.key == "locked_out"
    # failures older than the window are forgotten
    clock.now += FAILURE_WINDOW_S + 1
    assert sessions.sign_in("helpdesk", "helpdesk-demo", "203.0.113.9").role == "agent"


def test_the_browser_secret_is_generated_at_first_start_and_kept(tmp_path):
    from credlift.crypto import session_secret
    from credlift.settings import Settings

    settings = Settings(data_dir=tmp_path)
    first = session_secret(settings)
    assert first != "change-me" and len(first) >= 32 and session_secret(settings) == first
    assert stat.S_IMODE((tmp_path / "keys" / "session.key").stat().st_mode) == 0o600
    assert session_secret(Settings(data_dir=tmp_path, session_secret="a-real-secret-from-ops")) == "a-real-secret-from-ops"


def test_demo_passwords_are_refused_beyond_localhost(monkeypatch, capsys):
    from credlift.settings import reset_settings_cache
    from credlift.ui.cli import main

    monkeypatch.delenv("CREDLIFT_STAFF_USERS", raising=False)
    reset_settings_cache()
    monkeypatch.setattr(sys, "argv", ["credlift", "ui", "--host", "0.0.0.0", "--port", "65431"])
    with pytest.raises(SystemExit) as exit_:
        main()
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and "demo" in err and "helpdesk" in err
    reset_settings_cache()
