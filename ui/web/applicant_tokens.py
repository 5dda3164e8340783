"""Applicant API sessions: a signed token binds an API caller to one account's conversation.

`/start` (demo login by account id) returns a token; every other applicant endpoint takes it instead of a bare
thread id, and the server checks it on every call: signature and age (Fernet, from the `cryptography` package,
keyed from the session secret that is generated at first start), then that the conversation still belongs to
the account the token names. A thread id alone opens nothing.
"""
from __future__ import annotations

import base64
import hashlib
import json

from cryptography.fernet import Fernet, InvalidToken

TOKEN_TTL_S = 24 * 3600


class SessionRefused(Exception):
    """A missing, forged, expired or foreign token; `key` names the UI label."""

    def __init__(self, key: str):
        super().__init__(key)
        self.key = key
        self.values: dict = {}


class ApplicantTokens:
    def __init__(self, secret: str, ttl_s: int = TOKEN_TTL_S):
        key = base64.urlsafe_b64encode(hashlib.sha256(b"credlift-applicant-session:" + secret.encode()).digest())
        self._fernet = Fernet(key)
        self.ttl_s = ttl_s

    def issue(self, account_id: str, thread_id: str) -> str:
        payload = json.dumps({"account": account_id, "thread": thread_id}, separators=(",", ":")).encode()
        return self._fernet.encrypt(payload).decode("ascii")

    def open(self, token: str | None) -> tuple[str, str]:
        """(account_id, thread_id) of a valid token; SessionRefused otherwise."""
        if not token:
            raise SessionRefused("session_missing")
        try:
            payload = json.loads(self._fernet.decrypt(token.encode("ascii"), ttl=self.ttl_s))
            return str(payload["account"]), str(payload["thread"])
        except (InvalidToken, UnicodeEncodeError, ValueError, KeyError, TypeError):
            raise SessionRefused("session_invalid") from None
