"""One issuer's online query over HTTP: a timeout per attempt, a bounded number of attempts with exponential
backoff between them, and one typed outcome. Uses httpx (a connection pool per client)."""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Literal

import httpx
from pydantic import BaseModel, ValidationError

from credlift.errors import BackendUnavailableError
from credlift.tools.issuers.shapes import ENDPOINTS

log = logging.getLogger(__name__)
logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request is noise; failures are logged below

IssuerOutcome = Literal["verified", "not_found", "mismatch", "unavailable"]
#: statuses worth asking again: the issuer is overloaded, restarting or behind a gateway that gave up
RETRIED_STATUSES = frozenset({429, 500, 502, 503, 504})


class IssuerUnavailable(BackendUnavailableError):
    """The issuer did not answer within the attempts allowed (down, timing out, or answering nonsense)."""

    def __init__(self, issuer: str, why: str, attempts: int):
        self.issuer, self.why, self.attempts = issuer, why, attempts
        super().__init__(f"issuer '{issuer}' unavailable after {attempts} attempt(s): {why}")


class IssuerClient:
    """Asks the issuers behind one base URL. `max_attempts` >= 1 bounds the tries per question; the waits between
    them are `backoff_s`, `2 * backoff_s`, ... (capped at `max_backoff_s`)."""

    def __init__(self, base_url: str, timeout_s: float = 5.0, max_attempts: int = 3, backoff_s: float = 0.5,
                 max_backoff_s: float = 4.0, transport: httpx.BaseTransport | None = None,
                 sleep: Callable[[float], None] = time.sleep):
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.base_url = base_url.rstrip("/")
        self.timeout_s, self.max_attempts = timeout_s, max_attempts
        self.backoff_s, self.max_backoff_s = backoff_s, max_backoff_s
        self._sleep = sleep
        self._http = httpx.Client(base_url=self.base_url, timeout=httpx.Timeout(timeout_s), transport=transport,
                                  headers={"user-agent": "credlift-issuer-client"}, trust_env=False)

    def close(self) -> None:
        self._http.close()

    def ask(self, issuer: str, query: BaseModel) -> BaseModel:
        """The issuer's answer (its answer model), or IssuerUnavailable after the last attempt."""
        path, query_model, answer_model = ENDPOINTS[issuer]
        if not isinstance(query, query_model):
            raise TypeError(f"the {issuer} issuer is asked with {query_model.__name__}")
        why = ""
        for attempt in range(1, self.max_attempts + 1):
            try:
                response = self._http.post(path, json=query.model_dump())
            except httpx.TimeoutException:
                why = f"no answer within {self.timeout_s:g} s"
            except httpx.TransportError as error:
                why = f"cannot connect ({type(error).__name__})"
            else:
                if response.status_code == 200:
                    try:
                        return answer_model.model_validate_json(response.content)
                    except ValidationError:
                        # a malformed answer is not asked again: the issuer changed its shape, not its mood
                        raise IssuerUnavailable(issuer, "the answer does not have the agreed shape", attempt) from None
                why = f"HTTP {response.status_code}"
                if response.status_code not in RETRIED_STATUSES:
                    raise IssuerUnavailable(issuer, why, attempt)
            log.info("issuer %s attempt %d/%d failed: %s", issuer, attempt, self.max_attempts, why)
            if attempt < self.max_attempts:
                self._sleep(min(self.backoff_s * 2 ** (attempt - 1), self.max_backoff_s))
        raise IssuerUnavailable(issuer, why, self.max_attempts)
