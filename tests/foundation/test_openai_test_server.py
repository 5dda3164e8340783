"""The local OpenAI-compatible test server answers the way the openai client expects."""
from __future__ import annotations

import openai
import pytest

from credlift.evals.openai_test_server import OpenAITestServer


def test_chat_completion_round_trip_is_recorded():
    with OpenAITestServer(chat_handler=lambda body: '{"ok": true}') as server:
        client = openai.OpenAI(base_url=server.base_url, api_key="x", max_retries=0, timeout=120)
        reply = client.chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}])
        assert reply.choices[0].message.content == '{"ok": true}'
        assert server.chat_requests()[0]["messages"][0]["content"] == "hi"


def test_tool_calls_and_errors_are_served():
    answers = iter([{"tool_calls": [{"function": {"name": "get_decision", "arguments": {"case": "c1"}}}]}, 503])
    with OpenAITestServer(chat_handler=lambda body: next(answers)) as server:
        client = openai.OpenAI(base_url=server.base_url, api_key="x", max_retries=0, timeout=120)
        first = client.chat.completions.create(model="m", messages=[{"role": "user", "content": "x"}])
        assert first.choices[0].message.tool_calls[0].function.name == "get_decision"
        with pytest.raises(openai.APIStatusError):
            client.chat.completions.create(model="m", messages=[{"role": "user", "content": "x"}])


def test_embeddings_are_deterministic():
    with OpenAITestServer() as server:
        client = openai.OpenAI(base_url=server.base_url, api_key="x", max_retries=0, timeout=120)
        a = client.embeddings.create(model="e", input=["证书", "certificate"]).data
        b = client.embeddings.create(model="e", input=["证书"]).data
        assert a[0].embedding == b[0].embedding and a[0].embedding != a[1].embedding
