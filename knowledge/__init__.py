"""The lender's policy as clauses with stable ids (zh and en), and hybrid retrieval over them.

`retrieve(query, lang, k, topics)` for grounding; `get_clause(id)` and `all_clauses()` for citing. chromadb and
the embedding model are imported on the first `retrieve`, so importing this package stays cheap.
"""
from __future__ import annotations

from functools import lru_cache

from credlift.domain.policy import Clause, RetrievedClause
from credlift.errors import NotFoundError


@lru_cache(maxsize=1)
def _clauses_by_id() -> dict[str, Clause]:
    from credlift.knowledge.render import render_clauses

    return {clause.id: clause for clause in render_clauses()}


def all_clauses() -> list[Clause]:
    """Every clause of the policy, rendered with the current parameters, in corpus order."""
    return list(_clauses_by_id().values())


def get_clause(clause_id: str) -> Clause:
    try:
        return _clauses_by_id()[clause_id]
    except KeyError:
        raise NotFoundError(f"There is no policy clause with id {clause_id}.") from None


def retrieve(query: str, lang: str = "zh", k: int = 3, topics: list[str] | None = None) -> list[RetrievedClause]:
    """The k clauses most relevant to `query`, best first: dense and keyword rankings fused (see retriever.py)."""
    from credlift.knowledge.retriever import retrieve as hybrid_retrieve

    return hybrid_retrieve(query, lang=lang, k=k, topics=topics)


def warm_up() -> None:
    """Open the index and load the tokenizer and embedding model now (about a second), so the first question a
    person asks is answered at warm speed; call it when a service starts."""
    from credlift.knowledge.index import get_index
    from credlift.knowledge.retriever import rank_clauses

    rank_clauses(get_index(), "预热 warm up", lang="zh", k=1)


def reset_caches() -> None:
    """For tests and `credlift index`: forget rendered clauses and the open index."""
    from credlift.knowledge.index import reset_index_cache

    _clauses_by_id.cache_clear()
    reset_index_cache()


__all__ = ["all_clauses", "get_clause", "retrieve", "reset_caches", "warm_up"]
