"""Verification at the issuer: did the issuer really issue this credential to this person?

- `shapes.py`: the request and response of each issuer's online query (CHSI verification report, CET score
  query, national skill-certificate query), as pydantic models;
- `client.py`: one HTTP client with a timeout per attempt, bounded retries with backoff, and `IssuerUnavailable`;
- `registry.py`: `HttpIssuerRegistry`, the queries behind the `IssuerRegistry` interface (tools/registry.py).

`registry_for(settings)` picks the registry: the issuers at `CREDLIFT_ISSUER_BASE_URL` when it is set (the
local table behind them for the other types), else the local table of the data directory (the offline default,
None when it was never seeded). The local simulator that answers like the issuers is
`evals/issuer_simulator.py` (`credlift issuers serve`).
"""
from __future__ import annotations

from credlift.tools.issuers.client import IssuerClient, IssuerOutcome, IssuerUnavailable
from credlift.tools.issuers.registry import HttpIssuerRegistry

__all__ = ["HttpIssuerRegistry", "IssuerClient", "IssuerOutcome", "IssuerUnavailable", "registry_for"]


def registry_for(settings, base_url: str | None = None):
    """The issuer registry these settings select (see the module docstring); `base_url` overrides the setting."""
    from credlift.tools.registry import default_registry

    local = default_registry(settings.data_dir, settings.database_url)
    url = settings.issuer_base_url if base_url is None else base_url
    if not url:
        return local
    client = IssuerClient(url, timeout_s=settings.issuer_timeout_s, max_attempts=settings.issuer_max_attempts,
                          backoff_s=settings.issuer_backoff_s)
    return HttpIssuerRegistry(client, fallback=local)
