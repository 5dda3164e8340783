"""Qwen2.5-VL served by vLLM, over its OpenAI-compatible chat API, with the answer constrained to a JSON schema."""
from __future__ import annotations

import base64
import io

import httpx
import numpy as np
from PIL import Image

from credlift.domain.credential import CredentialRecord
from credlift.errors import BackendUnavailableError
from credlift.tools.extraction.schema import MalformedAnswerError, answer_schema, parse_answer

#: the long side of the image sent to the model: Qwen2.5-VL reads a certificate well at this size
SENT_LONG_SIDE = 1280


def image_data_url(rgb: np.ndarray, long_side: int = SENT_LONG_SIDE) -> str:
    image = Image.fromarray(rgb)
    if max(image.size) > long_side:
        image.thumbnail((long_side, long_side), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=90)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def extraction_messages(rgb: np.ndarray, lang: str = "en") -> list[dict]:
    from credlift.prompts import load

    prompt = load("vlm_extraction", lang)
    return [
        {"role": "system", "content": prompt["system"].strip()},
        {"role": "user", "content": [
            {"type": "image_url", "image_url": {"url": image_data_url(rgb)}},
            {"type": "text", "text": prompt["instruction"].strip()},
        ]},
    ]


class VllmBackend:
    name = "vllm"

    def __init__(self, base_url: str, model: str, api_key: str = "EMPTY", timeout_s: float = 30.0,
                 max_tokens: int = 768, lang: str = "en"):
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.api_key = api_key
        self.timeout_s = timeout_s
        self.max_tokens = max_tokens
        self.lang = lang

    def request_body(self, rgb: np.ndarray) -> dict:
        return {
            "model": self.model,
            "messages": extraction_messages(rgb, self.lang),
            "temperature": 0.0,
            "max_tokens": self.max_tokens,
            "response_format": {"type": "json_schema",
                                "json_schema": {"name": "credential_record", "schema": answer_schema(), "strict": True}},
        }

    def extract(self, rgb: np.ndarray) -> CredentialRecord:
        """Raises BackendUnavailableError (server down, timeout, HTTP error) or MalformedAnswerError."""
        try:
            response = httpx.post(f"{self.base_url}/chat/completions", json=self.request_body(rgb),
                                  headers={"Authorization": f"Bearer {self.api_key}"}, timeout=self.timeout_s)
        except httpx.HTTPError as error:
            raise BackendUnavailableError(f"vision model server at {self.base_url} unreachable: {type(error).__name__}") from None
        if response.status_code >= 400:
            raise BackendUnavailableError(f"vision model server answered HTTP {response.status_code}")
        try:
            content = response.json()["choices"][0]["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError):
            raise MalformedAnswerError("the server's reply is not an OpenAI chat completion") from None
        return parse_answer(content, backend="vllm")
