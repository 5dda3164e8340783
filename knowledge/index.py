"""The policy index: rendered clauses in a chromadb collection (dense) plus BM25 rankers (keyword).

The collection lives at `<data_dir>/chroma` and records the fingerprint of what it was built from (clause texts,
the numbers rendered into them, the embedding backend). Opening it with a different fingerprint rebuilds it, so
editing a clause or parameters.yaml can never leave a stale index behind.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel

from credlift.domain.policy import Clause
from credlift.errors import BackendUnavailableError
from credlift.knowledge.keyword import CJK, KeywordRanker
from credlift.knowledge.render import corpus_fingerprint, render_clauses

logger = logging.getLogger(__name__)

COLLECTION_NAME = "policy_clauses"
LANGUAGES = ("zh", "en")


class IndexBuildReport(BaseModel):
    path: str
    clauses: int
    documents: int
    embedding_backend: str
    fingerprint: str
    rebuilt: bool
    seconds: float
    degraded: bool = False  # the embeddings endpoint failed: keyword ranking only, retried after a while


def clause_document(clause: Clause, lang: str) -> str:
    """What is embedded and keyword-indexed for one clause in one language: title, text and its tags."""
    title = clause.title_zh if lang == "zh" else clause.title_en
    tags = [tag for tag in clause.tags if bool(CJK.search(tag)) == (lang == "zh")]
    return f"{title}\n{clause.text(lang)}\n{' '.join(tags)}"


def query_language(query: str, lang: str) -> str:
    """The language a query is written in: people switch language without touching the toggle."""
    if CJK.search(query):
        return "zh"
    if any(char.isalpha() for char in query):
        return "en"
    return lang if lang in LANGUAGES else "zh"


@dataclass
class PolicyIndex:
    clauses: dict[str, Clause]
    collection: object  # chromadb Collection
    keyword: dict[str, KeywordRanker]
    embedding_backend: str
    fingerprint: str
    client: object = None  # chromadb client, to re-open the collection after a rebuild elsewhere
    embedding_function: object = None
    degraded_until: float = 0.0  # monotonic time until which a keyword-only index is kept (0: not degraded)

    def dense_rank(self, query: str, lang: str, allowed: set[str] | None = None, depth: int = 20) -> list[tuple[str, float]]:
        """(clause id, cosine similarity) best first, from the documents in the query's language."""
        if self.collection is None:
            return []
        where: dict = {"lang": query_language(query, lang)}
        if allowed is not None:
            if not allowed:
                return []
            where = {"$and": [where, {"clause_id": {"$in": sorted(allowed)}}]}
        result = self._query(query, min(depth, len(self.clauses)), where)
        ranked: dict[str, float] = {}
        for metadata, distance in zip(result["metadatas"][0], result["distances"][0]):
            clause_id = str(metadata["clause_id"])
            ranked.setdefault(clause_id, 1.0 - float(distance))
        return sorted(ranked.items(), key=lambda item: item[1], reverse=True)

    def _query(self, query: str, n_results: int, where: dict) -> dict:
        from chromadb.errors import InvalidArgumentError, NotFoundError

        try:
            return self.collection.query(query_texts=[query], n_results=n_results, where=where,
                                         include=["metadatas", "distances"])
        except InvalidArgumentError as error:
            # e.g. the embeddings server now answers with another model's dimension
            raise BackendUnavailableError(f"query embedding does not fit the policy index: {error}") from error
        except NotFoundError:
            # `credlift index` replaced the collection under this handle: follow it by name, once
            self.collection = self.client.get_collection(COLLECTION_NAME, embedding_function=self.embedding_function)
            return self.collection.query(query_texts=[query], n_results=n_results, where=where,
                                         include=["metadatas", "distances"])

    def keyword_rank(self, query: str, lang: str, allowed: set[str] | None = None) -> list[tuple[str, float]]:
        return self.keyword[query_language(query, lang)].rank(query, allowed)


def chroma_path(data_dir: Path) -> Path:
    return Path(data_dir) / "chroma"


def _client(path: Path, url: str = ""):
    """The index in `data_dir/chroma` (embedded), or on a Chroma server (`CREDLIFT_CHROMA_URL`, e.g.
    http://127.0.0.1:8000 of `chroma run`) that every app process shares: app processes then keep no index."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    if url:
        from urllib.parse import urlsplit

        parts = urlsplit(url)
        return chromadb.HttpClient(host=parts.hostname or "127.0.0.1", port=parts.port or 8000,
                                   ssl=parts.scheme == "https", settings=ChromaSettings(anonymized_telemetry=False))
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=ChromaSettings(anonymized_telemetry=False))


def _documents(clauses: list[Clause]) -> tuple[list[str], list[str], list[dict]]:
    ids, documents, metadatas = [], [], []
    for clause in clauses:
        for lang in LANGUAGES:
            ids.append(f"{clause.id}:{lang}")
            documents.append(clause_document(clause, lang))
            metadatas.append({"clause_id": clause.id, "lang": lang, "topic": clause.topic})
    return ids, documents, metadatas


_rankers_lock = threading.Lock()
_rankers: dict[str, dict[str, KeywordRanker]] = {}


def _keyword_rankers(fingerprint: str, documents: list[str], metadatas: list[dict]) -> dict[str, KeywordRanker]:
    """BM25 per language; the same clauses give the same rankers, so every data dir in a process shares them."""
    with _rankers_lock:
        if fingerprint not in _rankers:
            by_lang = {}
            for lang in LANGUAGES:
                pairs = [(document, metadata["clause_id"]) for document, metadata in zip(documents, metadatas)
                         if metadata["lang"] == lang]
                by_lang[lang] = KeywordRanker([pair[0] for pair in pairs], [pair[1] for pair in pairs])
            _rankers[fingerprint] = by_lang
        return _rankers[fingerprint]


DEGRADED_RETRY_S = 60.0


def open_index(settings=None, force_rebuild: bool = False,
               allow_degraded: bool = False) -> tuple[PolicyIndex, IndexBuildReport]:
    """Opens the persisted index, rebuilding the collection when its fingerprint is stale (or when forced).

    allow_degraded: when a configured embeddings endpoint is down, return a keyword-only index instead of raising.
    """
    from credlift.knowledge.embeddings import embedding_function_from_settings
    from credlift.settings import get_settings

    started = time.perf_counter()
    settings = settings or get_settings()
    embedding_function = embedding_function_from_settings(settings)
    clauses = render_clauses()
    fingerprint = f"{corpus_fingerprint(clauses)[:32]}:{embedding_function.identity()}"
    ids, documents, metadatas = _documents(clauses)
    path = chroma_path(settings.data_dir)
    client = _client(path, settings.chroma_url)

    collection = None
    if not force_rebuild:
        try:
            existing = client.get_collection(COLLECTION_NAME, embedding_function=embedding_function)
            if (existing.metadata or {}).get("fingerprint") == fingerprint and existing.count() == len(ids):
                collection = existing
        except Exception:  # chromadb raises NotFoundError/ValueError by version when the collection is missing
            collection = None
    rebuilt = collection is None
    degraded = False
    if rebuilt:
        try:
            collection = _build_collection(client, embedding_function, fingerprint, ids, documents, metadatas)
        except BackendUnavailableError as error:
            if not allow_degraded:
                raise
            logger.warning("policy index: dense ranking off for %.0f s, keyword only: %s", DEGRADED_RETRY_S, error)
            collection, degraded = None, True

    keyword = _keyword_rankers(fingerprint, documents, metadatas)
    index = PolicyIndex(clauses={clause.id: clause for clause in clauses}, collection=collection, keyword=keyword,
                        embedding_backend=embedding_function.identity(), fingerprint=fingerprint, client=client,
                        embedding_function=embedding_function,
                        degraded_until=time.monotonic() + DEGRADED_RETRY_S if degraded else 0.0)
    report = IndexBuildReport(path=settings.chroma_url or str(path), clauses=len(clauses), documents=len(ids),
                              embedding_backend=embedding_function.identity(), fingerprint=fingerprint,
                              rebuilt=rebuilt, seconds=round(time.perf_counter() - started, 3), degraded=degraded)
    return index, report


def _build_collection(client, embedding_function, fingerprint: str, ids: list[str], documents: list[str],
                      metadatas: list[dict]):
    try:
        client.delete_collection(COLLECTION_NAME)
    except Exception:  # nothing to delete on a first build
        pass
    collection = client.create_collection(COLLECTION_NAME, embedding_function=embedding_function,
                                          metadata={"fingerprint": fingerprint},
                                          configuration={"hnsw": {"space": "cosine"}})
    # an add that fails half way leaves a short collection, which the count check rebuilds next time
    collection.add(ids=ids, documents=documents, metadatas=metadatas)
    logger.debug("policy index rebuilt: %d documents", len(ids))
    return collection


_cache_lock = threading.Lock()
_cached: dict[tuple[str, str, str], PolicyIndex] = {}


def get_index(settings=None) -> PolicyIndex:
    """The process-wide index for these settings (data dir and embedding backend), opened once."""
    from credlift.settings import get_settings

    settings = settings or get_settings()
    key = (settings.chroma_url or str(Path(settings.data_dir).resolve()), settings.embeddings_base_url,
           settings.embeddings_model)
    with _cache_lock:
        cached = _cached.get(key)
        if cached is None or (cached.degraded_until and time.monotonic() >= cached.degraded_until):
            _cached[key], _ = open_index(settings, allow_degraded=True)
        return _cached[key]


def rebuild_index(settings=None) -> IndexBuildReport:
    """`credlift index`: rebuild from the corpus and parameters, and replace the in-process copy."""
    index, report = open_index(settings, force_rebuild=True)
    reset_index_cache()
    return report


def reset_index_cache() -> None:
    with _cache_lock:
        _cached.clear()
