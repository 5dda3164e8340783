"""The issuers' online queries behind the `IssuerRegistry` interface (tools/registry.py).

`HttpIssuerRegistry.lookup(type, number)` asks the issuer that answers for the type (CET score reports: the CET
score query; vocational skill certificates: the national skill-certificate query) and
`lookup_report(code)` asks CHSI for the record an online verification report certifies. Types no online issuer
answers for go to the local table when there is one (`fallback`), else they are not checked (`serves` is False).
An issuer that cannot answer raises `IssuerUnavailable` (a BackendUnavailableError): the check says
"unavailable" and the policy sends the case to a person, never to a decline.
"""
from __future__ import annotations

from credlift.tools.issuers.client import IssuerClient
from credlift.tools.issuers.shapes import (
    ISSUER_OF_TYPE, CetScoreAnswer, CetScoreQuery, ChsiReportAnswer, ChsiReportQuery, SkillCertificateAnswer,
    SkillCertificateQuery,
)
from credlift.tools.registry import IssuerRegistry, RegistryEntry


def _without_empty(values: dict) -> dict:
    return {key: value for key, value in values.items() if value not in (None, "")}


def entry_from_cet(answer: CetScoreAnswer) -> RegistryEntry | None:
    if not answer.found or answer.record is None:
        return None
    record = answer.record
    return RegistryEntry(credential_type=record.level, certificate_number=record.certificate_number,
                         holder_name=record.holder_name, source="issuer:cet",
                         fields=_without_empty(record.model_dump(exclude={"certificate_number", "level", "holder_name"})))


def entry_from_skill(answer: SkillCertificateAnswer) -> RegistryEntry | None:
    if not answer.found or answer.record is None:
        return None
    record = answer.record
    return RegistryEntry(credential_type="vocational", certificate_number=record.certificate_number,
                         holder_name=record.holder_name, source="issuer:skill",
                         fields=_without_empty(record.model_dump(exclude={"certificate_number", "holder_name"})))


def entry_from_chsi(answer: ChsiReportAnswer) -> RegistryEntry | None:
    if not answer.found or answer.record is None:
        return None
    record = answer.record
    fields = _without_empty(record.model_dump(exclude={"credential_type", "holder_name"}))
    return RegistryEntry(credential_type=record.credential_type, certificate_number=record.certificate_number,
                         holder_name=record.holder_name, source="issuer:chsi", fields=fields)


class HttpIssuerRegistry:
    """The online issuers at one base URL (the simulator's, in tests and demos), with the local table behind
    them for the types they do not answer for."""

    def __init__(self, client: IssuerClient, fallback: IssuerRegistry | None = None):
        self.client, self.fallback = client, fallback

    def serves(self, credential_type: str) -> bool:
        return credential_type in ISSUER_OF_TYPE or self.fallback is not None

    def lookup(self, credential_type: str, certificate_number: str) -> RegistryEntry | None:
        issuer = ISSUER_OF_TYPE.get(credential_type)
        if issuer == "cet":
            return entry_from_cet(self.client.ask("cet", CetScoreQuery(certificate_number=_compact(certificate_number))))
        if issuer == "skill":
            return entry_from_skill(self.client.ask(
                "skill", SkillCertificateQuery(certificate_number=_compact(certificate_number))))
        return self.fallback.lookup(credential_type, certificate_number) if self.fallback is not None else None

    def lookup_report(self, verification_code: str) -> RegistryEntry | None:
        """The record a CHSI online verification report certifies, by its verification code."""
        return entry_from_chsi(self.client.ask("chsi", ChsiReportQuery(verification_code=_compact(verification_code))))

    def close(self) -> None:
        self.client.close()


def _compact(value: str) -> str:
    return "".join(str(value).split()).upper()
