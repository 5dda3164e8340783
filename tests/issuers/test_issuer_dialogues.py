"""The dialogue format's optional `issuer` key: the runner starts the issuer simulator on 127.0.0.1, sets it up
per dialogue (up / down, the uploads on its books or not), points the app at it and back, and stops it."""
from __future__ import annotations

import httpx
import pytest

from credlift.agent.contracts import TurnResult
from credlift.domain import ApplicantProfile
from credlift.errors import UserInputError
from credlift.evals.replay.format import Dialogue, load_dialogue
from credlift.evals.replay.runner import run_suite

PROFILE = ApplicantProfile(account_id="a", name="林晓雨", id_number="110105199912310022", current_limit=2000,
                           utilisation=0.3, months_on_book=4, delinquent_last_12m=0)


class IssuerAwareDriver:
    """Stands in for the service: on each user turn it asks the issuer the app was pointed at."""

    def __init__(self):
        self.pointed: list[str | None] = []

    def use_issuer(self, base_url):
        self.pointed.append(base_url)

    def fixture(self, account_id):
        return PROFILE

    def open(self, profile, lang):
        return "t", TurnResult(thread_id="t", replies=["hello"])

    def send(self, thread_id, text):
        answer = httpx.post(f"{self.pointed[-1]}/cet/score", json={"certificate_number": text}, timeout=60)
        return TurnResult(thread_id="t", replies=[f"issuer said {answer.status_code}"])


def dialogue(name: str, issuer: dict | None, expect: str) -> Dialogue:
    data = {"id": name, "account": {"fixture": "demo"}, "turns": [{"user": "212211001001234"}],
            "expect_final": {"reply_any": [expect]}}
    return Dialogue.model_validate({**data, **({"issuer": issuer} if issuer is not None else {})})


def test_the_runner_sets_up_the_simulator_per_dialogue_and_stops_it_after():
    driver = IssuerAwareDriver()
    result = run_suite([dialogue("up", {"state": "up"}, "issuer said 200"),
                        dialogue("down", {"state": "down"}, "issuer said 503"),
                        dialogue("up-again", {}, "issuer said 200")], driver)
    assert result.passed == 3, [o.failure for o in result.outcomes]
    urls = [u for u in driver.pointed if u is not None]
    assert len(set(urls)) == 1 and urls[0].startswith("http://127.0.0.1:")  # one simulator, local only
    assert driver.pointed[1::2] == [None, None, None]  # the app's own issuer settings after each dialogue
    with pytest.raises(httpx.ConnectError):
        httpx.post(f"{urls[0]}/cet/score", json={"certificate_number": "1"}, timeout=60)


def test_a_driver_that_cannot_reach_the_apps_issuers_fails_the_dialogue_with_a_reason():
    class RemoteDriver:  # like the --via driver: the app runs elsewhere, its issuers cannot be pointed here
        def fixture(self, account_id):
            return PROFILE

        def open(self, profile, lang):
            return "t", TurnResult(thread_id="t", replies=["hello"])

    outcome = run_suite([dialogue("needs-issuer", {"state": "down"}, "x")], RemoteDriver()).outcomes[0]
    assert not outcome.passed and "needs the in-process replay" in outcome.failure


def test_an_unknown_issuer_key_is_an_error_with_its_line(tmp_path):
    path = tmp_path / "d.yaml"
    path.write_text("id: x\naccount: {fixture: demo}\nissuer:\n  state: up\n  mood: grumpy\nturns:\n  - user: hi\n",
                    encoding="utf-8")
    with pytest.raises(UserInputError, match=r"d.yaml:5: unknown key at 'issuer.mood'"):
        load_dialogue(path)
