"""Retrieval quality on the labelled query set: the acceptance bar is hybrid recall@3 >= 0.9."""
from __future__ import annotations

import json

import pytest

from credlift.evals.retrieval import QUERIES_FILE, evaluate_retrieval, load_queries
from credlift.knowledge import all_clauses, reset_caches


@pytest.fixture(scope="module")
def evaluation(tmp_path_factory):
    from credlift.settings import Settings

    reset_caches()
    result = evaluate_retrieval(settings=Settings(data_dir=tmp_path_factory.mktemp("retrieval") / "data"))
    reset_caches()
    return result


def test_the_query_set_is_large_bilingual_and_labelled_with_real_clause_ids():
    queries = load_queries()
    assert len(queries) >= 80
    languages = [query.lang for query in queries]
    assert languages.count("zh") >= 0.35 * len(queries) and languages.count("en") >= 0.35 * len(queries)
    known = {clause.id for clause in all_clauses()}
    assert all(set(query.relevant) <= known for query in queries)


def test_hybrid_retrieval_reaches_recall_at_3_of_0_9(evaluation):
    assert evaluation.queries == len(load_queries(QUERIES_FILE))
    assert evaluation.hybrid.recall_at_3 >= 0.9, evaluation.hybrid.misses_at_3
    assert all(recall >= 0.85 for recall in evaluation.hybrid.by_lang.values())


def test_fusion_is_at_least_as_good_as_either_ranker_alone(evaluation):
    hybrid, keyword, dense = (evaluation.modes[mode] for mode in ("hybrid", "keyword", "dense"))
    assert hybrid.recall_at_3 >= max(keyword.recall_at_3, dense.recall_at_3)
    assert 0 < dense.mrr <= 1 and 0 < keyword.mrr <= 1


def test_credlift_retrieval_evaluate_prints_all_three_modes(data_dir):
    from typer.testing import CliRunner

    from credlift.ui.cli import app

    reset_caches()
    result = CliRunner().invoke(app, ["retrieval", "evaluate", "--json"])
    reset_caches()
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert set(report["modes"]) == {"hybrid", "keyword", "dense"}
    assert report["modes"]["hybrid"]["recall_at_3"] >= 0.9


def test_a_missing_query_file_is_a_user_error(tmp_path):
    from credlift.errors import UserInputError

    with pytest.raises(UserInputError, match="does not exist"):
        load_queries(tmp_path / "none.yaml")


def test_credlift_retrieval_search_shows_the_clauses_for_a_question(data_dir):
    from typer.testing import CliRunner

    from credlift.ui.cli import app

    reset_caches()
    result = CliRunner().invoke(app, ["retrieval", "search", "how do I appeal a decision", "--lang", "en", "-k", "2"])
    reset_caches()
    assert result.exit_code == 0, result.output
    assert "[REV-APPEAL]" in result.output and result.output.startswith("1. ")
