"""Staff sign-in: the service checks passwords; the app holds sessions, roles and a lockout."""
from __future__ import annotations

import pytest

from credlift.ui.web.auth import LOCKOUT_S, MAX_FAILURES, SESSION_TTL_S, SignInRefused, StaffSessions
from credlift.ui.web.helpdesk_flow import HelpdeskFlow, StaffDenied

USERS = {("helpdesk", "helpdesk-demo"): "agent", ("lead", "lead-demo"): "supervisor", ("guest", "guest-demo"): "viewer"}


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def _sessions(clock=None):
    return StaffSessions(lambda user, password: USERS.get((user, password)), clock=clock or Clock())


def test_a_wrong_password_is_refused():
    with pytest.raises(SignInRefused) as refused:
        _sessions().sign_in("helpdesk", "not-the-password")
    assert refused.value.key == "wrong_password"


def test_a_right_password_gives_a_session_with_the_role_from_settings():
    sessions = _sessions()
    session = sessions.sign_in("lead", "lead-demo")
    assert session.role == "supervisor" and len(session.token) >= 24
    assert sessions.get(session.token) == session


def test_repeated_failures_lock_the_user_name_for_a_while():
    clock = Clock()
    sessions = _sessions(clock)
    for _ in range(MAX_FAILURES):
        with pytest.raises(SignInRefused):
            sessions.sign_in("helpdesk", "guess")
    with pytest.raises(SignInRefused) as refused:
        sessions.sign_in("helpdesk", "helpdesk-demo")
    assert refused.value.key == "locked_out"
    clock.now += LOCKOUT_S + 1
    assert sessions.sign_in("helpdesk", "helpdesk-demo").role == "agent"


def test_sessions_expire_and_sign_out_ends_them():
    clock = Clock()
    sessions = _sessions(clock)
    first = sessions.sign_in("helpdesk", "helpdesk-demo")
    second = sessions.sign_in("helpdesk", "helpdesk-demo")
    sessions.sign_out(first.token)
    assert sessions.get(first.token) is None
    clock.now += SESSION_TTL_S + 1
    assert sessions.get(second.token) is None


def test_roles_decide_what_a_staff_member_may_do():
    sessions = _sessions()
    flow = HelpdeskFlow(service=None, sessions=sessions)
    agent = sessions.sign_in("helpdesk", "helpdesk-demo")
    viewer = sessions.sign_in("guest", "guest-demo")
    assert agent.may("resolve_review") and not agent.may("audit_all")
    with pytest.raises(StaffDenied) as denied:
        flow.require(viewer.token, "resolve_review")
    assert denied.value.key == "not_allowed"
    with pytest.raises(StaffDenied) as denied:
        flow.require("forged-token", "view")
    assert denied.value.key == "not_signed_in"
