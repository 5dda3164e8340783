"""Dense embeddings for the policy index, as chromadb embedding functions.

Default: WordLlama's `l2_supercat` 256-d model, whose weights and tokenizer ship inside the wordllama wheel, loaded
with downloads disabled so it works with no network. When `settings.embeddings_base_url` is set, an
OpenAI-compatible `/embeddings` endpoint replaces it (e.g. a vLLM or TEI server with a multilingual model).
"""
from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from chromadb import Documents, EmbeddingFunction, Embeddings
from chromadb.utils.embedding_functions import register_embedding_function

from credlift.errors import BackendUnavailableError

logger = logging.getLogger(__name__)

WORDLLAMA_CONFIG = "l2_supercat"
WORDLLAMA_DIM = 256
_model_lock = threading.Lock()
_wordllama_models: dict[tuple[str, int], Any] = {}


def wordllama_package_dir() -> Path:
    import wordllama

    return Path(wordllama.__file__).resolve().parent


def load_wordllama(config: str = WORDLLAMA_CONFIG, dim: int = WORDLLAMA_DIM):
    """The wheel's own WordLlama model, loaded once per process; never downloads.

    WordLlama looks for weights in <package>/weights and for the tokenizer in <cache_dir>/tokenizers, so passing
    the package directory as cache_dir finds both files the wheel ships.
    """
    key = (config, dim)
    with _model_lock:
        if key not in _wordllama_models:
            from wordllama import WordLlama

            _wordllama_models[key] = WordLlama.load(config=config, dim=dim, cache_dir=wordllama_package_dir(),
                                                    disable_download=True)
        return _wordllama_models[key]


@register_embedding_function
class WordLlamaEmbeddingFunction(EmbeddingFunction[Documents]):
    """WordLlama static embeddings (L2-normalised, so cosine and inner product agree)."""

    def __init__(self, config: str = WORDLLAMA_CONFIG, dim: int = WORDLLAMA_DIM) -> None:
        self.config = config
        self.dim = dim

    def __call__(self, input: Documents) -> Embeddings:
        vectors = load_wordllama(self.config, self.dim).embed(list(input), norm=True)
        return [np.asarray(vector, dtype=np.float32) for vector in vectors]

    @staticmethod
    def name() -> str:
        return "credlift-wordllama"

    def default_space(self) -> str:
        return "cosine"

    def get_config(self) -> dict[str, Any]:
        return {"config": self.config, "dim": self.dim}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> "WordLlamaEmbeddingFunction":
        return WordLlamaEmbeddingFunction(config=config.get("config", WORDLLAMA_CONFIG),
                                          dim=int(config.get("dim", WORDLLAMA_DIM)))

    def identity(self) -> str:
        return f"wordllama:{self.config}:{self.dim}"


@register_embedding_function
class OpenAICompatibleEmbeddingFunction(EmbeddingFunction[Documents]):
    """POST {base_url}/embeddings as the OpenAI API defines it; vectors L2-normalised here."""

    def __init__(self, base_url: str, model: str, api_key: str = "EMPTY", timeout_s: float = 20.0,
                 batch_size: int = 64) -> None:
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.api_key = api_key
        self.timeout_s = timeout_s
        self.batch_size = batch_size

    def __call__(self, input: Documents) -> Embeddings:
        texts = list(input)
        vectors: list[np.ndarray] = []
        with httpx.Client(timeout=self.timeout_s) as client:
            for start in range(0, len(texts), self.batch_size):
                vectors.extend(self._embed_batch(client, texts[start:start + self.batch_size]))
        return vectors

    def _embed_batch(self, client: httpx.Client, texts: list[str]) -> list[np.ndarray]:
        url = f"{self.base_url}/embeddings"
        try:
            response = client.post(url, json={"model": self.model, "input": texts},
                                   headers={"Authorization": f"Bearer {self.api_key}"})
            response.raise_for_status()
            items = response.json()["data"]
        except (httpx.HTTPError, KeyError, ValueError) as error:
            raise BackendUnavailableError(f"embeddings endpoint {url} failed: {error}") from error
        if len(items) != len(texts):
            raise BackendUnavailableError(f"embeddings endpoint {url} returned {len(items)} vectors for {len(texts)} texts")
        ordered = sorted(items, key=lambda item: item.get("index", 0))
        vectors = []
        for item in ordered:
            vector = np.asarray(item["embedding"], dtype=np.float32)
            vectors.append(vector / (np.linalg.norm(vector) or 1.0))
        return vectors

    @staticmethod
    def name() -> str:
        return "credlift-openai-compatible"

    def default_space(self) -> str:
        return "cosine"

    def get_config(self) -> dict[str, Any]:
        # the API key is deliberately not part of the stored configuration
        return {"base_url": self.base_url, "model": self.model, "timeout_s": self.timeout_s}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> "OpenAICompatibleEmbeddingFunction":
        return OpenAICompatibleEmbeddingFunction(base_url=config["base_url"], model=config["model"],
                                                 timeout_s=float(config.get("timeout_s", 20.0)))

    def identity(self) -> str:
        return f"openai:{self.base_url}:{self.model}"


def embedding_function_from_settings(settings=None) -> WordLlamaEmbeddingFunction | OpenAICompatibleEmbeddingFunction:
    """The configured backend: an OpenAI-compatible endpoint when embeddings_base_url is set, else WordLlama."""
    from credlift.settings import get_settings

    settings = settings or get_settings()
    if settings.embeddings_base_url:
        return OpenAICompatibleEmbeddingFunction(base_url=settings.embeddings_base_url, model=settings.embeddings_model,
                                                 api_key=settings.embeddings_api_key.get_secret_value())
    return WordLlamaEmbeddingFunction()
