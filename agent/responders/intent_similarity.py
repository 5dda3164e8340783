"""Intent by meaning, for the messages the keyword lists cannot place.

The keyword lists (prompts/<lang>/intents.yaml) are exact and explainable, but people say "get me a human" or
"这是我的证书照片" in words no list holds. When the keywords find nothing, or only a generic question word, the
message is compared with example messages per intent (prompts/<lang>/intent_examples.yaml, both languages) by the
WordLlama embedding that ships in its wheel (the retriever's model; offline, about 0.1 ms a message). The nearest
intent example decides only when it is close enough and clearly nearer than the nearest small-talk example (a
hand-over to a person asks for more); a message clearly nearer to small talk is small talk, even with a question
word in it ("what's your favourite colour?" asks nothing about credit). Otherwise the keyword result stands.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from credlift.prompts import load

logger = logging.getLogger(__name__)

NONE = "small_talk"  # the examples of messages that are no intent
#: cosine similarity the nearest example needs, per intent (a hand-over needs more: it calls a person)
MIN_SIMILARITY = {"human": 0.45}
DEFAULT_MIN_SIMILARITY = 0.40
#: how much nearer than the nearest small-talk example the intent's example must be
MIN_MARGIN = 0.08
#: a message this close to a small-talk example (and nearer to it than to any intent) is chatter, even if it asks
SMALL_TALK_SIMILARITY = 0.50


@dataclass(frozen=True)
class Nearest:
    intent: str  # the intent of the nearest example that is not small talk
    similarity: float
    small_talk_similarity: float  # the nearest small-talk example's
    example: str

    @property
    def meaning(self) -> str | None:
        """The intent this match names, `small_talk` when the message is clearly chatter, or None (unclear)."""
        needed = MIN_SIMILARITY.get(self.intent, DEFAULT_MIN_SIMILARITY)
        if self.similarity >= needed and self.similarity - self.small_talk_similarity >= MIN_MARGIN:
            return self.intent
        if self.small_talk_similarity >= SMALL_TALK_SIMILARITY and \
                self.small_talk_similarity - self.similarity >= MIN_MARGIN:
            return NONE
        return None


def examples() -> list[tuple[str, str]]:
    """(intent, example message) from both languages' example files."""
    rows: list[tuple[str, str]] = []
    for lang in ("zh", "en"):
        for intent, texts in (load("intent_examples", lang) or {}).items():
            rows.extend((intent, str(text)) for text in texts)
    return rows


def _embed(texts: list[str]) -> np.ndarray:
    """Unit vectors of lower-cased texts by the retriever's embedding (knowledge/embeddings.py)."""
    from credlift.knowledge.embeddings import WordLlamaEmbeddingFunction

    return np.stack(WordLlamaEmbeddingFunction()([text.lower() for text in texts]))


@lru_cache(maxsize=1)
def _index() -> tuple[list[tuple[str, str]], np.ndarray, np.ndarray]:
    """The examples, their unit vectors, and which of them are small talk."""
    rows = examples()
    return rows, _embed([text for _, text in rows]), np.array([intent == NONE for intent, _ in rows])


def nearest(text: str) -> Nearest | None:
    """The nearest example's intent, its similarity and the nearest small-talk example's; None if the embedding
    model cannot be used (the keyword result then stands)."""
    try:
        rows, matrix, chatter = _index()
        vector = _embed([text])[0]
    except Exception as error:  # a missing or broken model must never stop a reply
        logger.warning("intent by meaning unavailable: %s: %s", type(error).__name__, error)
        return None
    similarity = matrix @ vector
    best = int(np.argmax(np.where(chatter, -np.inf, similarity)))
    small_best = float(similarity[chatter].max()) if chatter.any() else -1.0
    return Nearest(intent=rows[best][0], similarity=float(similarity[best]), small_talk_similarity=small_best,
                   example=rows[best][1])


def intent_by_meaning(text: str) -> str | None:
    """The intent the message means (`small_talk` for clear chatter) when the examples say so clearly; else None."""
    found = nearest(text)
    return found.meaning if found is not None else None
