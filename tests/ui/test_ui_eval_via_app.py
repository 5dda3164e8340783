"""`credlift eval --via URL` replays dialogues against a running app through gradio_client."""
from __future__ import annotations

import textwrap

from credlift.evals.replay.format import load_suite
from credlift.evals.replay.runner import run_suite

DIALOGUE = """
id: via-app-cet6-en
lang: en
account:
  name: 林晓雨
  id_number: "110105199912310022"
  current_limit: 3000
  utilisation: 0.25
  months_on_book: 14
  delinquent_last_12m: 0
  income_band: low
  thin_file: true
turns:
  - user: "Hi, how can I raise my limit?"
    expect:
      tools_called: [converse]
  - upload:
      synth: {type: cet6, seed: 3, capture: photo, tamper: none, fields: {total_score: 561, exam_session: "2023-06", id_number: "110105199912310022"}}
    expect:
      tools_called: [authenticate, extract, decide]
expect_final:
  decision: approve
  increase: {min: 100, max: 3000}
  no_full_id_number: true
"""


def test_a_dialogue_replays_through_the_running_app(live_app, tmp_path):
    from credlift.evals.replay.app_driver import AppDriver

    (tmp_path / "via.yaml").write_text(textwrap.dedent(DIALOGUE), encoding="utf-8")
    live_app.settings.eval_accounts = True
    try:
        result = run_suite(load_suite(tmp_path), AppDriver(live_app.url))
    finally:
        live_app.settings.eval_accounts = False
    outcome = result.outcomes[0]
    assert outcome.passed, outcome.failure
    assert outcome.decision == "approve" and outcome.increase > 0
    assert "authenticate" in outcome.turns[1].nodes_run


def test_test_accounts_are_refused_unless_enabled(live_app):
    import pytest
    from gradio_client import Client

    client = Client(live_app.url, verbose=False)
    with pytest.raises(Exception, match="disabled"):
        client.predict({"account_id": "x", "name": "王五", "id_number": "44010619990103028X", "current_limit": 1,
                        "utilisation": 0.1, "months_on_book": 1, "delinquent_last_12m": 0}, api_name="/create_test_account")
