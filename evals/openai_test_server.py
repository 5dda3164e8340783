"""The one OpenAI-compatible HTTP server on 127.0.0.1 that credlift's offline code runs (LLM, VLM, embeddings).

Each request is recorded and answered by a chat handler: in tests a scripted one stands in for vLLM (a good
answer, malformed JSON, an out-of-bounds value, an HTTP error, a dropped connection); `training/local_server.py`
plugs a real transformers model in as the handler. The handler returns
- a str (the assistant's content) or a dict (an assistant message, tool calls allowed),
- a `Completion` (content with real token counts and finish reason),
- an int (that HTTP status) or a `Refusal` (status and message), or an Exception (the connection is dropped).
Product code never imports this module (evals/ and training/ are offline).
"""
from __future__ import annotations

import hashlib
import json
import logging
import select
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Completion:
    """A generated answer with its real accounting (what a model-backed handler returns)."""
    content: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    finish_reason: str = "stop"  # "stop" or "length"


@dataclass(frozen=True)
class Refusal:
    """An HTTP error answer with a message (e.g. 400 for an unsupported response_format)."""
    status: int
    message: str


ChatAnswer = str | dict | Completion | Refusal | int | Exception
ChatHandler = Callable[[dict], ChatAnswer]
EmbeddingsHandler = Callable[[dict], list[list[float]]]
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")

logger = logging.getLogger(__name__)


def echo_chat(body: dict) -> str:
    """Default chat handler: repeats the last user message."""
    for message in reversed(body.get("messages", [])):
        if message.get("role") == "user":
            content = message.get("content")
            if isinstance(content, list):
                content = " ".join(part.get("text", "") for part in content if isinstance(part, dict))
            return f"echo: {content}"
    return "echo"


def hash_embeddings(body: dict, dimensions: int = 64) -> list[list[float]]:
    """Default embeddings handler: deterministic vectors from a hash of each input (same text, same vector)."""
    inputs = body.get("input", [])
    if isinstance(inputs, str):
        inputs = [inputs]
    vectors = []
    for text in inputs:
        digest = hashlib.sha256(str(text).encode("utf-8")).digest()
        raw = [(digest[i % len(digest)] / 255.0) - 0.5 for i in range(dimensions)]
        norm = sum(v * v for v in raw) ** 0.5 or 1.0
        vectors.append([v / norm for v in raw])
    return vectors


class OpenAITestServer:
    """Context manager: `with OpenAITestServer(chat_handler=fn) as server: ... server.base_url ...`."""

    def __init__(self, chat_handler: ChatHandler | None = None, embeddings_handler: EmbeddingsHandler | None = None,
                 model: str = "test-model", delay_s: float = 0.0, host: str = "127.0.0.1", port: int = 0,
                 strict_model: bool = False):
        """`strict_model`: a request naming another model is answered 404 (as vLLM does); otherwise any name."""
        if host not in LOCAL_HOSTS:
            raise ValueError("the OpenAI-compatible server listens on 127.0.0.1 only")
        self.chat_handler = chat_handler or echo_chat
        self.embeddings_handler = embeddings_handler or hash_embeddings
        self.model = model
        self.delay_s = delay_s
        self.host, self.port, self.strict_model = host, port, strict_model
        self.requests: list[tuple[str, dict]] = []
        self.cancelled = 0  # requests whose client hung up while the server was still "generating"
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        assert self._server is not None, "server not started"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def __enter__(self) -> "OpenAITestServer":
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self) -> None:
        self._server = ThreadingHTTPServer((self.host, self.port), _make_handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def chat_requests(self) -> list[dict]:
        return [body for path, body in self.requests if path.endswith("/chat/completions")]


def _chat_completion(model: str, message: dict, finish: str, usage: tuple[int, int]) -> dict:
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex[:12]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": finish, "logprobs": None}],
        "usage": {"prompt_tokens": usage[0], "completion_tokens": usage[1], "total_tokens": sum(usage)},
    }


def _normalise_message(answer: str | dict | Completion) -> dict:
    if isinstance(answer, Completion):
        return {"role": "assistant", "content": answer.content}
    if isinstance(answer, str):
        return {"role": "assistant", "content": answer}
    message = {"role": "assistant", "content": None, **answer}
    for index, call in enumerate(message.get("tool_calls") or []):
        call.setdefault("id", f"call_{index}_{uuid.uuid4().hex[:6]}")
        call.setdefault("type", "function")
        arguments = call.get("function", {}).get("arguments")
        if isinstance(arguments, dict):
            call["function"]["arguments"] = json.dumps(arguments, ensure_ascii=False)
    return message


def _make_handler(server: OpenAITestServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # small JSON answers otherwise wait ~40 ms on kept-alive connections

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name; quiet
            logger.debug("openai server: " + format, *args)

        def _send_json(self, status: int, payload: dict) -> None:
            body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _client_gave_up(self, seconds: float) -> bool:
            """Waits `seconds` like a slow model, watching the socket: True as soon as the client closes it."""
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline:
                readable, _, _ = select.select([self.connection], [], [], min(0.05, max(0.0, deadline - time.monotonic())))
                if readable:
                    try:
                        if self.connection.recv(1, socket.MSG_PEEK) == b"":
                            return True
                    except OSError:
                        return True
            return False

        def do_GET(self) -> None:
            if self.path.rstrip("/").endswith("/models"):
                self._send_json(200, {"object": "list", "data": [{"id": server.model, "object": "model", "owned_by": "test"}]})
            else:
                self._send_json(404, {"error": {"message": "not found"}})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            try:
                body = json.loads(self.rfile.read(length) or b"{}")
            except json.JSONDecodeError:
                self._send_json(400, {"error": {"message": "invalid JSON"}})
                return
            server.requests.append((self.path, body))
            if server.strict_model and body.get("model") not in (None, server.model):
                self._send_json(404, {"error": {"message": f"model {body.get('model')} is not served here "
                                                           f"(serving {server.model})", "code": 404}})
                return
            if server.delay_s and self._client_gave_up(server.delay_s):
                server.cancelled += 1  # as vLLM does: a closed connection aborts the request
                self.close_connection = True
                return
            if self.path.endswith("/embeddings"):
                vectors = server.embeddings_handler(body)
                self._send_json(200, {"object": "list", "model": body.get("model", server.model),
                                      "data": [{"object": "embedding", "index": i, "embedding": v} for i, v in enumerate(vectors)],
                                      "usage": {"prompt_tokens": 1, "total_tokens": 1}})
                return
            if not self.path.endswith("/chat/completions"):
                self._send_json(404, {"error": {"message": f"unknown path {self.path}"}})
                return
            if not isinstance(body.get("messages"), list) or not body["messages"]:
                self._send_json(400, {"error": {"message": "messages must be a non-empty list", "code": 400}})
                return
            answer = server.chat_handler(body)
            if isinstance(answer, Refusal):
                self._send_json(answer.status, {"error": {"message": answer.message, "type": "invalid_request_error",
                                                          "code": answer.status}})
                return
            if isinstance(answer, Exception):
                self.close_connection = True
                self.connection.close()
                return
            if isinstance(answer, int):
                self._send_json(answer, {"error": {"message": f"test server answered {answer}", "code": answer}})
                return
            message = _normalise_message(answer)
            finish = ("tool_calls" if message.get("tool_calls") else
                      answer.finish_reason if isinstance(answer, Completion) else "stop")
            usage = (answer.prompt_tokens, answer.completion_tokens) if isinstance(answer, Completion) else (10, 10)
            if body.get("stream"):
                self._stream(body.get("model", server.model), message, finish)
                return
            self._send_json(200, _chat_completion(body.get("model", server.model), message, finish, usage))

        def _stream(self, model: str, message: dict, finish: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Connection", "close")
            self.end_headers()
            base = {"id": f"chatcmpl-{uuid.uuid4().hex[:12]}", "object": "chat.completion.chunk",
                    "created": int(time.time()), "model": model}
            delta = {"role": "assistant", "content": message.get("content") or ""}
            if message.get("tool_calls"):
                delta["tool_calls"] = [{"index": i, **call} for i, call in enumerate(message["tool_calls"])]
            chunks = [
                {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": None}]},
                {**base, "choices": [{"index": 0, "delta": {}, "finish_reason": finish}]},
            ]
            for chunk in chunks:
                self.wfile.write(f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n".encode("utf-8"))
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()
            self.close_connection = True

    return Handler
