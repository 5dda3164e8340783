"""Staff sign-in for the helpdesk console and its API: passwords checked by the service, sessions held here.

Applicants need no password, so Gradio's global auth is not used; each staff session gets a random token that
the browser keeps in gr.State and API callers pass back. Repeated failures lock that user name from that
address only (so nobody elsewhere can lock a colleague out), with a backoff that doubles on each further failure
and is forgotten once the failures are older than the window.
"""
from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable

from pydantic import BaseModel

# What each role may do; roles come from settings.staff_users ("user:password:role").
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "agent": frozenset({"view", "reveal", "reply", "take_over", "resolve_review"}),
    "supervisor": frozenset({"view", "reveal", "reply", "take_over", "resolve_review", "audit_all"}),
}
SESSION_TTL_S = 8 * 3600
MAX_FAILURES = 5
LOCKOUT_S = 60          # the first lockout; doubles with each further failure, at most MAX_LOCKOUT_S
MAX_LOCKOUT_S = 15 * 60
FAILURE_WINDOW_S = 3600  # failures older than this are forgotten


class StaffSession(BaseModel):
    token: str
    user: str
    role: str
    expires_at: float

    def may(self, permission: str) -> bool:
        return permission in ROLE_PERMISSIONS.get(self.role, frozenset({"view"}))


class SignInRefused(Exception):
    """Wrong credentials or a locked user name; `key` names the UI label, `values` fill it."""

    def __init__(self, key: str, **values: object):
        super().__init__(key)
        self.key = key
        self.values = values


class StaffSessions:
    def __init__(self, authenticate: Callable[[str, str], str | None], clock: Callable[[], float] = time.monotonic):
        self._authenticate = authenticate
        self._clock = clock
        self._lock = threading.Lock()
        self._sessions: dict[str, StaffSession] = {}
        self._failures: dict[str, list[float]] = {}

    def _locked_for(self, failures: list[float], now: float) -> float:
        """Seconds left of the lockout these failures earn (0: none)."""
        if len(failures) < MAX_FAILURES:
            return 0.0
        backoff = min(MAX_LOCKOUT_S, LOCKOUT_S * 2 ** (len(failures) - MAX_FAILURES))
        return max(0.0, failures[-1] + backoff - now)

    def sign_in(self, user: str, password: str, address: str = "") -> StaffSession:
        user = (user or "").strip()
        key = f"{user}@{address or '?'}"
        now = self._clock()
        with self._lock:
            recent = [at for at in self._failures.get(key, []) if now - at < FAILURE_WINDOW_S]
            self._failures[key] = recent
            left = self._locked_for(recent, now)
            if left > 0:
                raise SignInRefused("locked_out", seconds=int(left) + 1)
        role = self._authenticate(user, password or "") if user and password else None
        with self._lock:
            if role is None:
                self._failures.setdefault(key, []).append(now)
                raise SignInRefused("wrong_password")
            self._failures.pop(key, None)
            session = StaffSession(token=secrets.token_urlsafe(24), user=user, role=role,
                                   expires_at=now + SESSION_TTL_S)
            self._sessions[session.token] = session
            return session

    def get(self, token: str | None) -> StaffSession | None:
        if not token:
            return None
        with self._lock:
            session = self._sessions.get(token)
            if session is not None and session.expires_at <= self._clock():
                del self._sessions[token]
                return None
            return session

    def sign_out(self, token: str | None) -> None:
        with self._lock:
            self._sessions.pop(token or "", None)
