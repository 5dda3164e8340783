"""assess: what does it mean for risk? The scorecard, then risk reasoning grounded on retrieved clauses."""
from __future__ import annotations

import logging

from langgraph.runtime import Runtime

from credlift.agent import grounding
from credlift.agent.context import AgentContext, services_of
from credlift.agent.nodes.support import accepted, failed, language
from credlift.agent.state import AgentState

logger = logging.getLogger(__name__)


def assess(state: AgentState, runtime: Runtime[AgentContext]) -> dict:
    from credlift.tools import pipeline

    services = services_of(runtime)
    applicant = services.accounts.get(state["account_id"])
    reasoner = _llm_reasoner(services) if services.settings.reasoner_url else None
    lang = language(state)
    results = {}
    for result in accepted(state):
        try:
            clauses = grounding.retrieve(_risk_query(applicant, result.credential, lang), lang, k=4)
            risk_score, assessment, rejected = pipeline.assess(applicant, result.credential, clauses, reasoner, lang)
            if rejected:
                logger.info("risk LLM not used for upload %s: %s", result.upload_id, rejected)
                services.cases.audit("agent", "risk_llm_fallback", state["case_id"],
                                     f"{result.sha256[:12]} deterministic reasoner used: {rejected}"[:500],
                                     entry_id=f"assess-fallback:{result.upload_id}")
        except Exception:
            results[result.upload_id] = failed("assess", result, state)
            continue
        results[result.upload_id] = result.model_copy(update={"risk_score": risk_score, "assessment": assessment})
        services.cases.audit("agent", "risk_assessed", state["case_id"],
                             f"{result.sha256[:12]} pd={risk_score.probability_of_default:.4f} "
                             f"level={assessment.risk_level} source={assessment.source}",
                             entry_id=f"assess:{result.upload_id}")
    return {"results": results, "nodes_run": ["assess"]}


def _risk_query(applicant, credential, lang: str) -> str:
    try:
        from credlift.tools.risk.llm_reasoner import risk_retrieval_query

        return risk_retrieval_query(applicant, credential, lang)
    except ImportError:
        return f"{credential.type} increase risk"


def _llm_reasoner(services):
    try:
        from credlift.tools.risk.llm_reasoner import LlmRiskReasoner
    except ImportError:
        return None
    return LlmRiskReasoner(services.settings)
