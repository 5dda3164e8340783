"""Retrieval quality on the labelled query set (evals/retrieval/queries.yaml): recall@1, recall@3 and MRR for the
hybrid retriever and for each of its rankers alone, so the fusion's benefit is measured, not assumed."""
from __future__ import annotations

import time
from pathlib import Path

import yaml
from pydantic import BaseModel, Field

from credlift.errors import UserInputError

QUERIES_FILE = Path(__file__).resolve().parent / "queries.yaml"
MODES = ("hybrid", "keyword", "dense")


class LabelledQuery(BaseModel):
    query: str
    lang: str
    relevant: list[str] = Field(min_length=1)


class ModeScores(BaseModel):
    mode: str
    queries: int
    recall_at_1: float
    recall_at_3: float
    mrr: float = Field(description="mean reciprocal rank of the first relevant clause (0 when not in the top 10)")
    by_lang: dict[str, float] = Field(default_factory=dict, description="recall@3 per language")
    misses_at_3: list[str] = Field(default_factory=list, description="queries with no relevant clause in the top 3")
    mean_latency_ms: float


class RetrievalEvaluation(BaseModel):
    queries_path: str
    queries: int
    clauses: int
    embedding_backend: str
    modes: dict[str, ModeScores]

    @property
    def hybrid(self) -> ModeScores:
        return self.modes["hybrid"]


def load_queries(path: Path | None = None) -> list[LabelledQuery]:
    path = Path(path or QUERIES_FILE)
    if not path.exists():
        raise UserInputError(f"The query file {path} does not exist.")
    try:
        entries = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("queries", [])
        return [LabelledQuery.model_validate(entry) for entry in entries]
    except (yaml.YAMLError, ValueError, AttributeError) as error:
        raise UserInputError(f"The query file {path} is not a valid query set: {error}") from error


def _score_mode(index, queries: list[LabelledQuery], mode: str, depth: int = 10) -> ModeScores:
    from credlift.knowledge.retriever import rank_clauses

    hits_1 = hits_3 = 0
    reciprocal_ranks: list[float] = []
    per_lang: dict[str, list[int]] = {}
    misses: list[str] = []
    started = time.perf_counter()
    for labelled in queries:
        ranked = [item.clause.id for item in rank_clauses(index, labelled.query, lang=labelled.lang, k=depth, mode=mode)]
        first = next((position for position, clause_id in enumerate(ranked, start=1) if clause_id in labelled.relevant), None)
        hits_1 += int(first == 1)
        hit_3 = first is not None and first <= 3
        hits_3 += int(hit_3)
        per_lang.setdefault(labelled.lang, []).append(int(hit_3))
        reciprocal_ranks.append(1.0 / first if first else 0.0)
        if not hit_3:
            misses.append(f"[{labelled.lang}] {labelled.query} -> want {'/'.join(labelled.relevant)}, got {', '.join(ranked[:3])}")
    elapsed_ms = (time.perf_counter() - started) * 1000
    count = len(queries) or 1
    return ModeScores(mode=mode, queries=len(queries), recall_at_1=round(hits_1 / count, 4),
                      recall_at_3=round(hits_3 / count, 4), mrr=round(sum(reciprocal_ranks) / count, 4),
                      by_lang={lang: round(sum(hits) / len(hits), 4) for lang, hits in sorted(per_lang.items())},
                      misses_at_3=misses, mean_latency_ms=round(elapsed_ms / count, 2))


def evaluate_retrieval(queries_path: Path | None = None, settings=None) -> RetrievalEvaluation:
    """Scores every mode on the labelled queries against the index of `settings` (built if stale)."""
    from credlift.knowledge.index import get_index

    queries = load_queries(queries_path)
    index = get_index(settings)
    unknown = sorted({clause_id for labelled in queries for clause_id in labelled.relevant} - set(index.clauses))
    if unknown:
        raise UserInputError(f"The query set cites clause ids the corpus does not have: {', '.join(unknown)}.")
    modes = {mode: _score_mode(index, queries, mode) for mode in MODES}
    return RetrievalEvaluation(queries_path=str(Path(queries_path or QUERIES_FILE)), queries=len(queries),
                               clauses=len(index.clauses), embedding_backend=index.embedding_backend, modes=modes)
