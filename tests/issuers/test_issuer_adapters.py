"""The issuers' online queries over HTTP (tools/issuers) against the local simulator (evals/issuer_simulator.py):
verified / not found / mismatch / unavailable, timeouts, bounded retries with backoff."""
from __future__ import annotations

import httpx
import pytest

from credlift.evals.issuer_simulator import IssuerBooks, IssuerSimulator
from credlift.tools.issuers import HttpIssuerRegistry, IssuerClient, IssuerUnavailable, registry_for
from credlift.tools.issuers.shapes import CetScoreAnswer, CetScoreQuery
from credlift.tools.registry import IssuerRegistry, LocalRegistry, check_against_registry
from issuer_helpers import CET, CHSI, SKILL, record


@pytest.fixture()
def simulator():
    books = IssuerBooks()
    for entry in (CET, SKILL, CHSI):
        assert books.add_entry(entry)
    with IssuerSimulator(books) as running:
        yield running


def registry(url: str, waits: list[float] | None = None, **options) -> HttpIssuerRegistry:
    sleep = (lambda s: waits.append(s)) if waits is not None else (lambda s: None)
    return HttpIssuerRegistry(IssuerClient(url, sleep=sleep, **options))


def test_each_issuer_verifies_its_own_credential(simulator):
    issuers = registry(simulator.base_url)
    assert isinstance(issuers, IssuerRegistry)
    for entry in (CET, SKILL):
        check = check_against_registry(record(entry), issuers)
        assert (check.status, check.mismatched_fields) == ("verified", [])
    assert check_against_registry(record(CET), issuers).source == "issuer:cet"
    assert check_against_registry(record(SKILL), issuers).source == "issuer:skill"
    chsi = check_against_registry(record(CHSI), issuers)  # asked by the report's verification code
    assert (chsi.status, chsi.source) == ("verified", "issuer:chsi")
    assert simulator.calls == {"cet": 2, "skill": 2, "chsi": 1}


def test_a_changed_field_is_a_mismatch_naming_it(simulator):
    issuers = registry(simulator.base_url)
    check = check_against_registry(record(CET, total_score=610), issuers)
    assert (check.status, check.mismatched_fields) == ("mismatch", ["total_score"])
    check = check_against_registry(record(CET, holder_name="李雷"), issuers)
    assert check.mismatched_fields == ["holder_name"]
    # a report whose code certifies another certificate than the one printed on the page
    check = check_against_registry(record(CHSI, certificate_number="100011202305009999"), issuers)
    assert (check.status, check.mismatched_fields) == ("mismatch", ["certificate_number"])
    # a CET-4 report number presented as CET-6 (one numbering space)
    assert check_against_registry(record(CET).model_copy(update={"type": "cet4"}), issuers).mismatched_fields[0] == "type"


def test_an_unknown_number_or_code_is_not_found(simulator):
    issuers = registry(simulator.base_url)
    assert check_against_registry(record(CET, certificate_number="212211001009999"), issuers).status == "not_found"
    assert check_against_registry(record(SKILL, certificate_number="Y000011000009999"), issuers).status == "not_found"
    assert check_against_registry(record(CHSI, verification_code="ZZZZ0000ZZZZ0000"), issuers).status == "not_found"


def test_a_type_no_issuer_answers_for_is_not_checked_without_a_local_table(simulator):
    award = record(CET).model_copy(update={"type": "award"})
    assert check_against_registry(award, registry(simulator.base_url)).status == "not_applicable"
    assert simulator.calls == {}


def test_an_issuer_down_is_asked_a_bounded_number_of_times_with_backoff(simulator):
    simulator.state = "down"  # every answer 503
    waits: list[float] = []
    issuers = registry(simulator.base_url, waits, max_attempts=3, backoff_s=0.5)
    check = check_against_registry(record(CET), issuers)
    assert check.status == "unavailable" and check.source == "cet"
    assert simulator.calls["cet"] == 3 and waits == [0.5, 1.0]


def test_an_issuer_that_does_not_answer_in_time_is_unavailable(simulator):
    simulator.state = "slow"  # answers after 30 s; the client waits 1 s per attempt
    issuers = registry(simulator.base_url, timeout_s=1.0, max_attempts=2, backoff_s=0.0)
    with pytest.raises(IssuerUnavailable, match="no answer within 1 s"):
        issuers.lookup("cet6", CET.certificate_number)
    assert simulator.calls["cet"] == 2


def test_a_stopped_issuer_is_unavailable():
    with IssuerSimulator() as stopped:
        url = stopped.base_url
    check = check_against_registry(record(CET), registry(url, max_attempts=2))
    assert check.status == "unavailable"


def test_an_answer_of_the_wrong_shape_or_a_refused_question_is_not_asked_again():
    seen: list[str] = []

    def issuer(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        if request.url.path == "/cet/score":
            return httpx.Response(200, json={"found": True, "record": {"holder_name": "x"}})
        return httpx.Response(400, json={"detail": "bad request"})

    client = IssuerClient("http://issuer.test", transport=httpx.MockTransport(issuer), sleep=lambda s: None)
    with pytest.raises(IssuerUnavailable, match="agreed shape"):
        client.ask("cet", CetScoreQuery(certificate_number="1"))
    with pytest.raises(IssuerUnavailable, match="HTTP 400"):
        HttpIssuerRegistry(client).lookup("vocational", "Y1")
    assert seen == ["/cet/score", "/skill/certificate"]


def test_the_answer_shapes_are_the_ones_written_down(simulator):
    response = httpx.post(f"{simulator.base_url}/cet/score", json={"certificate_number": CET.certificate_number})
    answer = CetScoreAnswer.model_validate_json(response.content)
    assert answer.found and answer.record.total_score == 520 and answer.record.level == "cet6"
    refused = httpx.post(f"{simulator.base_url}/cet/score", json={"number": "1"})
    assert refused.status_code == 422  # a question of another shape is refused, not guessed at


def test_settings_pick_the_issuers_over_http_or_the_local_table(settings, data_dir):
    assert registry_for(settings) is None  # offline default, nothing seeded: no registry
    LocalRegistry.in_data_dir(data_dir).add(SKILL)
    assert isinstance(registry_for(settings), LocalRegistry)
    online = registry_for(settings.model_copy(update={"issuer_base_url": "http://127.0.0.1:9",
                                                      "issuer_max_attempts": 2}))
    assert isinstance(online, HttpIssuerRegistry) and online.client.max_attempts == 2
    assert isinstance(online.fallback, LocalRegistry)  # the types no online issuer answers for
