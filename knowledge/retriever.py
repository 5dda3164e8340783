"""Hybrid retrieval of policy clauses: dense (chromadb) and keyword (BM25) rankings fused by reciprocal rank fusion.

RRF (Cormack et al., 2009) needs no score calibration between rankers: a clause scores sum(w / (RRF_K + rank)).
The dense ranker gets a lower weight on Chinese queries: WordLlama's tokenizer reads most CJK characters as raw
bytes, and on the development query set its Chinese rankings were the weakest of all (RRF_K and the weight were
chosen on evals/retrieval/queries.yaml only).
"""
from __future__ import annotations

import logging
import re
from typing import Literal

from credlift.domain.policy import RetrievedClause
from credlift.errors import BackendUnavailableError
from credlift.knowledge.index import PolicyIndex, get_index, query_language

logger = logging.getLogger(__name__)
RetrievalMode = Literal["hybrid", "keyword", "dense"]
RRF_K = 20
CANDIDATE_DEPTH = 20
DENSE_WEIGHT = {"zh": 0.25, "en": 1.0}
ASPECT_SEPARATORS = re.compile(r"[；;\n]+")


def reciprocal_rank_fusion(rankings: dict[str, list[str]], rrf_k: int = RRF_K,
                           weights: dict[str, float] | None = None) -> list[tuple[str, float, list[str]]]:
    """(id, fused score, rankers that returned it) best first; ties keep the first ranker's order."""
    fused: dict[str, float] = {}
    found_by: dict[str, list[str]] = {}
    for ranker, ranked_ids in rankings.items():
        weight = (weights or {}).get(ranker, 1.0)
        for rank, item_id in enumerate(ranked_ids, start=1):
            fused[item_id] = fused.get(item_id, 0.0) + weight / (rrf_k + rank)
            found_by.setdefault(item_id, []).append(ranker)
    order = sorted(fused, key=lambda item_id: fused[item_id], reverse=True)
    return [(item_id, fused[item_id], found_by[item_id]) for item_id in order]


def split_aspects(query: str) -> list[str]:
    """A query that lists several aspects ("毕业证书 提额；违约概率；证书年限") is searched aspect by aspect."""
    return [part.strip() for part in ASPECT_SEPARATORS.split(query) if part.strip()]


def _fused(index: PolicyIndex, query: str, lang: str, allowed: set[str] | None,
           mode: RetrievalMode) -> list[tuple[str, float, list[str]]]:
    rankings: dict[str, list[str]] = {}
    if mode == "dense":
        rankings["dense"] = [clause_id for clause_id, _ in index.dense_rank(query, lang, allowed, CANDIDATE_DEPTH)]
    elif mode == "hybrid":
        try:
            rankings["dense"] = [clause_id for clause_id, _ in index.dense_rank(query, lang, allowed, CANDIDATE_DEPTH)]
        except BackendUnavailableError as error:
            # a configured embeddings server is down: answer from the keyword ranking rather than not at all
            logger.warning("dense retrieval unavailable, keyword ranking only: %s", error)
    if mode in ("hybrid", "keyword"):
        rankings["keyword"] = [clause_id for clause_id, _ in index.keyword_rank(query, lang, allowed)[:CANDIDATE_DEPTH]]
    return reciprocal_rank_fusion(rankings, RRF_K, {"dense": DENSE_WEIGHT[query_language(query, lang)]})


def _interleave(per_aspect: list[list[tuple[str, float, list[str]]]]) -> list[tuple[str, float, list[str]]]:
    """Round robin over the aspects' rankings (best of each first), each clause once."""
    merged: dict[str, tuple[str, float, list[str]]] = {}
    for position in range(max(len(ranking) for ranking in per_aspect)):
        for ranking in per_aspect:
            if position < len(ranking) and ranking[position][0] not in merged:
                merged[ranking[position][0]] = ranking[position]
    return list(merged.values())


def rank_clauses(index: PolicyIndex, query: str, lang: str = "zh", k: int = 3, topics: list[str] | None = None,
                 mode: RetrievalMode = "hybrid") -> list[RetrievedClause]:
    aspects = split_aspects(query or "")
    if not aspects:
        return []
    allowed = None
    if topics:
        allowed = {clause_id for clause_id, clause in index.clauses.items() if clause.topic in set(topics)}
    per_aspect = [_fused(index, aspect, lang, allowed, mode) for aspect in aspects]
    fused = per_aspect[0] if len(per_aspect) == 1 else _interleave(per_aspect)
    return [RetrievedClause(clause=index.clauses[clause_id], score=round(score, 6), rank=rank, matched_by=found_by)
            for rank, (clause_id, score, found_by) in enumerate(fused[:k], start=1)]


def retrieve(query: str, lang: str = "zh", k: int = 3, topics: list[str] | None = None) -> list[RetrievedClause]:
    """The k policy clauses most relevant to `query`, best first (hybrid dense + keyword)."""
    return rank_clauses(get_index(), query, lang=lang, k=k, topics=topics, mode="hybrid")
