"""A small OpenAI-compatible chat server on 127.0.0.1 for a transformers model (+ an optional LoRA adapter), on CPU.

It is what `credlift training compare` measures base and tuned models through (the same HTTP path, client and
validator the app uses), and what `credlift training serve` runs for the app (`CREDLIFT_LLM_BASE_URL`).
Generation is greedy and unconstrained: a request with `response_format` json_schema / json_object is refused
with HTTP 400, so credlift's client falls back to a plain request and validates the JSON itself — the figures
then show what the model writes, not what a grammar forces. One request generates at a time (a lock); others
wait. `max_new_tokens` caps every answer (the training targets are under 250 SmolLM2 tokens).
"""
from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

logger = logging.getLogger(__name__)

DEFAULT_MAX_NEW_TOKENS = 320


def load_for_serving(base_model: str | Path, adapter_dir: Path | None = None):
    """(model, tokenizer): the base model, with the adapter merged into it when given, in eval mode on CPU."""
    from credlift.training.base_models import load_causal_lm, load_tokenizer

    model = load_causal_lm(base_model)
    if adapter_dir is not None:
        from peft import PeftModel

        model = PeftModel.from_pretrained(model, adapter_dir).merge_and_unload()
    return model.eval(), load_tokenizer(base_model)


class LocalChatServer:
    """`with LocalChatServer(model, tokenizer, "credlift-risk") as server: ... server.base_url ...`"""

    def __init__(self, model, tokenizer, model_name: str = "credlift-risk", host: str = "127.0.0.1", port: int = 0,
                 max_new_tokens: int = DEFAULT_MAX_NEW_TOKENS):
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("the local model server listens on 127.0.0.1 only")
        self.model, self.tokenizer, self.model_name = model, tokenizer, model_name
        self.host, self.port, self.max_new_tokens = host, port, max_new_tokens
        self.completions = 0
        self.completion_tokens = 0
        self.refused_formats = 0
        self.answers: list[str] = []  # every generated text, in order (what an evaluation inspects)
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        assert self._server is not None, "server not started"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def start(self) -> "LocalChatServer":
        self._server = ThreadingHTTPServer((self.host, self.port), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> "LocalChatServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def generate(self, messages: list[dict], max_tokens: int | None) -> tuple[str, int, int, str]:
        """(text, prompt tokens, completion tokens, finish reason); greedy."""
        import torch

        limit = min(int(max_tokens or self.max_new_tokens), self.max_new_tokens)
        inputs = self.tokenizer.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt",
                                                    return_dict=True)
        with self._lock, torch.no_grad():
            out = self.model.generate(**inputs, max_new_tokens=limit, do_sample=False,
                                      pad_token_id=self.tokenizer.pad_token_id)
        new = out[0, inputs["input_ids"].shape[1]:]
        finished = len(new) > 0 and int(new[-1]) == self.tokenizer.eos_token_id
        text = self.tokenizer.decode(new, skip_special_tokens=True)
        self.completions += 1
        self.completion_tokens += len(new)
        self.answers.append(text)
        return text, int(inputs["input_ids"].shape[1]), len(new), "stop" if finished else "length"


def _handler_for(server: LocalChatServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format, *args):  # noqa: A002 - the stdlib's name
            logger.debug("local model server: " + format, *args)

        def _send(self, status: int, payload: dict) -> None:
            body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _error(self, status: int, message: str) -> None:
            self._send(status, {"error": {"message": message, "type": "invalid_request_error", "code": status}})

        def do_GET(self):  # noqa: N802 - the stdlib's name
            if self.path.rstrip("/") == "/v1/models":
                self._send(200, {"object": "list", "data": [{"id": server.model_name, "object": "model",
                                                             "owned_by": "credlift"}]})
            else:
                self._error(404, f"no route {self.path}")

        def do_POST(self):  # noqa: N802
            if self.path.rstrip("/") != "/v1/chat/completions":
                self._error(404, f"no route {self.path}")
                return
            try:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
            except (ValueError, json.JSONDecodeError):
                self._error(400, "the body is not JSON")
                return
            messages = body.get("messages")
            if not isinstance(messages, list) or not messages:
                self._error(400, "messages must be a non-empty list")
                return
            if body.get("model") not in (None, server.model_name):
                self._error(404, f"model {body.get('model')} is not served here (serving {server.model_name})")
                return
            if body.get("response_format") and body["response_format"].get("type") != "text":
                server.refused_formats += 1
                self._error(400, "response_format is not supported: generation is unconstrained")
                return
            started = time.perf_counter()
            text, prompt_tokens, completion_tokens, finish = server.generate(messages, body.get("max_tokens"))
            logger.info("local model server: %d+%d tokens in %.1f s", prompt_tokens, completion_tokens,
                        time.perf_counter() - started)
            self._send(200, {
                "id": f"chatcmpl-{uuid.uuid4().hex[:12]}", "object": "chat.completion", "created": int(time.time()),
                "model": server.model_name,
                "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": finish}],
                "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                          "total_tokens": prompt_tokens + completion_tokens},
            })

    return Handler
