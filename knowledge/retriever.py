"""Hybrid retrieval of policy clauses: dense (chromadb) and keyword (BM25) rankings fused by reciprocal rank fusion.

RRF (Cormack et al., 2009) needs no score calibration between rankers: a clause scores sum(w / (RRF_K + rank)).
The dense ranker gets a lower weight on Chinese queries: WordLlama's tokenizer reads most CJK characters as raw
bytes, and on the development query set its Chinese rankings were the weakest of all (RRF_K and the weight were
chosen on evals/retrieval/queries.yaml only).
"""
from __future__ import annotations

from typing import Literal

from credlift.domain.policy import RetrievedClause
from credlift.knowledge.index import PolicyIndex, get_index, query_language

RetrievalMode = Literal["hybrid", "keyword", "dense"]
RRF_K = 20
CANDIDATE_DEPTH = 20
DENSE_WEIGHT = {"zh": 0.25, "en": 1.0}


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


def rank_clauses(index: PolicyIndex, query: str, lang: str = "zh", k: int = 3, topics: list[str] | None = None,
                 mode: RetrievalMode = "hybrid") -> list[RetrievedClause]:
    if not query or not query.strip():
        return []
    allowed = None
    if topics:
        allowed = {clause_id for clause_id, clause in index.clauses.items() if clause.topic in set(topics)}
    rankings: dict[str, list[str]] = {}
    if mode in ("hybrid", "dense"):
        rankings["dense"] = [clause_id for clause_id, _ in index.dense_rank(query, lang, allowed, CANDIDATE_DEPTH)]
    if mode in ("hybrid", "keyword"):
        rankings["keyword"] = [clause_id for clause_id, _ in index.keyword_rank(query, lang, allowed)[:CANDIDATE_DEPTH]]
    fused = reciprocal_rank_fusion(rankings, RRF_K, {"dense": DENSE_WEIGHT[query_language(query, lang)]})
    return [RetrievedClause(clause=index.clauses[clause_id], score=round(score, 6), rank=rank, matched_by=found_by)
            for rank, (clause_id, score, found_by) in enumerate(fused[:k], start=1)]


def retrieve(query: str, lang: str = "zh", k: int = 3, topics: list[str] | None = None) -> list[RetrievedClause]:
    """The k policy clauses most relevant to `query`, best first (hybrid dense + keyword)."""
    return rank_clauses(get_index(), query, lang=lang, k=k, topics=topics, mode="hybrid")
