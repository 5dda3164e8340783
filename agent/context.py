"""Run-time configuration of the graph: which responder talks, and the stores the nodes write to."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from credlift.settings import Settings, get_settings

if TYPE_CHECKING:
    from credlift.agent.case_store import CaseStore
    from credlift.agent.responders.base import Responder
    from credlift.tools.accounts import AccountStore


@dataclass
class AgentServices:
    settings: Settings
    accounts: "AccountStore"
    cases: "CaseStore"
    responder: "Responder"
    registry: object | None = None  # the issuer registry (tools/issuers.registry_for): None = no issuer check
    analysis: object | None = None  # where read/authenticate/validate run (tools/analysis.analysis_for)

    def __post_init__(self) -> None:
        if self.analysis is None:
            from credlift.tools.analysis import LocalAnalysis

            self.analysis = LocalAnalysis(self.registry)

    def use_registry(self, registry) -> None:
        """Another issuer registry from now on, for the decision and for in-process validation alike (the
        analysis holds its own reference; Ray replicas build theirs from the settings)."""
        self.registry = registry
        if hasattr(self.analysis, "registry"):
            self.analysis.registry = registry

    @property
    def overlay_dir(self) -> Path:
        return self.settings.data_dir / "overlays"

    @property
    def uploads_dir(self) -> Path:
        return self.settings.data_dir / "uploads"


@dataclass
class AgentContext:
    """Passed to every run as `context=`; without one (LangGraph tooling) the defaults from settings are used."""
    services: AgentServices | None = field(default=None)


def make_responder(settings: Settings) -> "Responder":
    """The embedded deterministic responder, or an LLM over an OpenAI-compatible server when one is configured."""
    from credlift.agent.responders.deterministic import DeterministicResponder

    deterministic = DeterministicResponder()
    if not settings.responder_url:
        return deterministic
    from credlift.agent.responders.llm import LlmResponder

    return LlmResponder(settings, fallback=deterministic)


def make_services(settings: Settings | None = None) -> AgentServices:
    from credlift.agent.case_store import CaseStore
    from credlift.tools.accounts import AccountStore

    from credlift.crypto import cipher_for

    from credlift.tools.issuers import registry_for

    settings = settings or get_settings()
    settings.ensure_dirs()
    cipher = cipher_for(settings)
    from credlift.tools.analysis import analysis_for

    registry = registry_for(settings)
    return AgentServices(settings=settings, accounts=AccountStore.for_settings(settings, cipher),
                         cases=CaseStore(settings.database_url, settings.data_dir / "cases.sqlite3", cipher),
                         responder=make_responder(settings), registry=registry,
                         analysis=analysis_for(settings, registry))


_defaults: list[AgentServices] = []


def use_default_services(services: AgentServices) -> None:
    _defaults[:] = [services]


def _default_services() -> AgentServices:
    if not _defaults:
        _defaults.append(make_services())
    return _defaults[0]


def services_of(runtime) -> AgentServices:
    context = getattr(runtime, "context", None)
    if context is not None and context.services is not None:
        return context.services
    return _default_services()
