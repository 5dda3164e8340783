"""CredliftService: the whole agent behind one object, for the CLI (`apply`, `chat`), the eval runner and the bench.

It is the shared core (agent/core.py) with both facades over it: `service.applicant` (agent/applicant.py) and
`service.helpdesk` (agent/helpdesk.py), and it answers every call either facade offers. The web app hands each of
its two sides the facade it needs.
"""
from __future__ import annotations

from credlift.agent.applicant import ApplicantService
from credlift.agent.context import AgentServices
from credlift.agent.core import AgentCore, ProgressCallback
from credlift.agent.helpdesk import HelpdeskService
from credlift.settings import Settings

__all__ = ["CredliftService", "ProgressCallback"]


class CredliftService(AgentCore):
    def __init__(self, settings: Settings | None = None, services: AgentServices | None = None):
        super().__init__(settings, services)
        self.applicant = ApplicantService(self)
        self.helpdesk = HelpdeskService(self)

    def __getattr__(self, name: str):
        # called only for what the core does not have: the facades' public calls (start, send, case_view, ...)
        if name.startswith("_") or name in ("applicant", "helpdesk"):
            raise AttributeError(name)
        for facade in (self.__dict__.get("applicant"), self.__dict__.get("helpdesk")):
            if facade is not None and hasattr(type(facade), name):
                return getattr(facade, name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
