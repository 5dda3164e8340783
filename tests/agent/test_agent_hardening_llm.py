"""LLM mode under attack and under failure: personal data never sent to the model, logged or replied; injected
text (typed, read from an image, spread over turns) never reaches the applicant through a model that obeys it; a
model server that misbehaves gets the deterministic reply, recorded in the case."""
from __future__ import annotations

import json
import logging

import pytest

from credlift.evals.openai_test_server import OpenAITestServer, echo_chat

ID = "110105199912310022"


@pytest.fixture()
def use_llm(service, monkeypatch):
    """use_llm(handler, **settings) -> the test server; the service's responder becomes the LLM responder."""
    from credlift.agent.responders.deterministic import DeterministicResponder
    from credlift.agent.responders.llm import LlmResponder

    servers = []

    def attach(handler, delay_s: float = 0.0, **changes):
        server = OpenAITestServer(chat_handler=handler, delay_s=delay_s).__enter__()
        servers.append(server)
        settings = service.settings.model_copy(update={"llm_base_url": server.base_url, "llm_timeout_s": 120.0,
                                                       **changes})
        monkeypatch.setattr(service.services, "responder", LlmResponder(settings, fallback=DeterministicResponder()))
        return server

    yield attach
    for server in servers:
        server.__exit__(None, None, None)


def test_an_id_number_typed_inside_chinese_text_never_reaches_the_model_a_log_or_a_reply(
        service, use_llm, new_account, caplog):
    profile = new_account("demo-graduate-01")
    thread_id = service.start(profile.account_id).thread_id
    server = use_llm(echo_chat)  # a model that repeats what it is sent
    with caplog.at_level(logging.DEBUG):
        reply = service.send(thread_id, f"我的身份证号是{ID}，帮我查")
        reply_en = service.send(thread_id, f"my ID is{ID}, can you check it?")
    sent = json.dumps(server.chat_requests(), ensure_ascii=False)
    assert server.chat_requests() and "110***********0022" in sent
    assert ID not in sent
    assert ID not in caplog.text
    assert ID not in "\n".join(reply.replies + reply_en.replies)


def test_a_slow_model_is_cancelled_and_the_deterministic_reply_is_recorded_in_the_case(service, use_llm, new_account):
    import time

    profile = new_account("demo-rider-01")
    thread_id = service.start(profile.account_id, lang="en").thread_id
    server = use_llm(echo_chat, delay_s=60.0, llm_timeout_s=0.5)
    reply = service.send(thread_id, "what documents can I use?")
    for _ in range(200):  # the server notices the closed connection (bounded wait)
        if server.cancelled:
            break
        time.sleep(0.05)
    assert "degree certificate" in "\n".join(reply.replies)  # the deterministic answer
    assert server.cancelled == 1
    assert server.chat_requests()[0]["max_tokens"] == service.settings.responder_max_tokens
    audit = service.audit_log(reply.case_id)
    assert any(e.action == "reply_checked" and "fallback" in e.detail for e in audit)
