"""Policy grounding for replies: clauses come from the knowledge base (retrieval, or lookup of the ids a decision
record names); a reply may cite only clause ids that are in the retrieved set."""
from __future__ import annotations

import logging
import re

from credlift.domain import RetrievedClause

logger = logging.getLogger(__name__)

CLAUSE_ID_PATTERN = re.compile(r"\b[A-Z]{2,6}-[A-Z0-9]{2,}(?:-[A-Z0-9]+)*\b")


def cited_ids(text: str) -> list[str]:
    """Clause ids named in a reply, in order, without repeats."""
    seen: dict[str, None] = {}
    for match in CLAUSE_ID_PATTERN.finditer(text):
        seen.setdefault(match.group(0))
    return list(seen)


def retrieve(query: str, lang: str, k: int = 3, topics: list[str] | None = None) -> list[RetrievedClause]:
    from credlift.knowledge import retrieve as knowledge_retrieve

    return list(knowledge_retrieve(query, lang=lang, k=k, topics=topics))


def lookup(clause_ids: list[str], start_rank: int = 0) -> list[RetrievedClause]:
    """The clauses a decision record or a template names, fetched from the knowledge base by id."""
    from credlift.knowledge import get_clause

    found: list[RetrievedClause] = []
    for offset, clause_id in enumerate(dict.fromkeys(clause_ids)):
        try:
            found.append(RetrievedClause(clause=get_clause(clause_id), score=1.0, rank=start_rank + offset))
        except Exception as error:  # an id the corpus lacks is dropped, never cited
            logger.warning("clause %s not in the knowledge base: %s", clause_id, error)
    return found


def union(*groups: list[RetrievedClause]) -> list[RetrievedClause]:
    merged: dict[str, RetrievedClause] = {}
    for group in groups:
        for item in group:
            merged.setdefault(item.clause.id, item)
    return list(merged.values())


def grounded_ids(text: str, retrieved: list[RetrievedClause]) -> tuple[list[str], list[str]]:
    """(cited ids that were retrieved, cited ids that were not)."""
    known = {item.clause.id for item in retrieved}
    cited = cited_ids(text)
    return [c for c in cited if c in known], [c for c in cited if c not in known]


def strip_ungrounded(text: str, retrieved: list[RetrievedClause]) -> str:
    """Removes bracketed citations of clauses that were not retrieved (a template never cites a missing clause)."""
    _, missing = grounded_ids(text, retrieved)
    for clause_id in missing:
        text = text.replace(f" [{clause_id}]", "").replace(f"[{clause_id}]", "")
    return text
