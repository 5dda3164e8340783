"""The persisted chromadb index: built from the rendered clauses, rebuilt only when they change, queried hybrid."""
from __future__ import annotations

import json

import pytest

import credlift.knowledge.index as index_module
from credlift.domain.policy import RetrievedClause
from credlift.knowledge import reset_caches, retrieve
from credlift.knowledge.index import open_index, query_language
from credlift.knowledge.render import render_clauses


@pytest.fixture()
def fresh(data_dir):
    reset_caches()
    yield data_dir
    reset_caches()


def test_first_open_builds_both_languages_and_the_second_reuses_it(fresh):
    _, first = open_index()
    _, second = open_index()
    assert first.rebuilt and not second.rebuilt
    assert first.documents == second.documents == 2 * first.clauses
    assert first.fingerprint == second.fingerprint
    assert (fresh / "chroma").is_dir()


def test_forced_rebuild_is_idempotent(fresh):
    index_a, report_a = open_index(force_rebuild=True)
    index_b, report_b = open_index(force_rebuild=True)
    assert report_a.fingerprint == report_b.fingerprint and report_b.rebuilt
    assert index_b.collection.count() == report_a.documents
    query = "how long does manual review take"
    assert index_a.dense_rank(query, "en")[:3] == index_b.dense_rank(query, "en")[:3]


def test_a_changed_clause_makes_the_index_rebuild(fresh, monkeypatch):
    open_index()
    clauses = render_clauses()
    clauses[0] = clauses[0].model_copy(update={"text_en": clauses[0].text_en + " Amended."})
    monkeypatch.setattr(index_module, "render_clauses", lambda: clauses)
    _, report = open_index()
    assert report.rebuilt


def test_retrieve_returns_ranked_clauses_with_scores_and_rankers(fresh):
    results = retrieve("身份证号会被保存吗", lang="zh", k=3)
    assert len(results) == 3 and all(isinstance(item, RetrievedClause) for item in results)
    assert [item.rank for item in results] == [1, 2, 3]
    assert results[0].score >= results[1].score >= results[2].score
    assert {"PRIV-ID", "PRIV-RETAIN"} & {item.clause.id for item in results}
    assert all(set(item.matched_by) <= {"dense", "keyword"} and item.matched_by for item in results)


def test_colloquial_questions_find_their_clause_in_both_languages(fresh):
    assert "INC-CET6" in [item.clause.id for item in retrieve("我六级考了560能提多少", lang="zh")]
    assert "REV-MANUAL" in [item.clause.id for item in retrieve("how long does manual review take", lang="en")]
    # a Chinese question asked with the English toggle on is still read as Chinese
    assert "REV-APPEAL" in [item.clause.id for item in retrieve("我不服这个结果，怎么申诉", lang="en")]


def test_topics_restrict_what_is_retrieved(fresh):
    results = retrieve("how long do you keep my photos", lang="en", k=5, topics=["privacy"])
    assert results and all(item.clause.topic == "privacy" for item in results)
    assert retrieve("   ", lang="en") == []


def test_query_language_follows_the_script_of_the_query():
    assert query_language("人工审核要多久", "en") == "zh"
    assert query_language("appeal", "zh") == "en"
    assert query_language("560", "en") == "en"


def test_credlift_index_rebuilds_and_prints_counts(fresh):
    from typer.testing import CliRunner

    from credlift.ui.cli import app

    result = CliRunner().invoke(app, ["index", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["rebuilt"] and report["clauses"] >= 60 and report["documents"] == 2 * report["clauses"]
    text = CliRunner().invoke(app, ["index"])
    assert text.exit_code == 0 and "clauses:" in text.output and "privacy" in text.output


def test_warm_up_opens_the_index_once_for_the_process(fresh):
    from credlift.knowledge import warm_up
    from credlift.knowledge.index import get_index

    warm_up()
    assert get_index() is get_index()
    assert (fresh / "chroma").is_dir()


def test_a_query_listing_several_aspects_gets_a_clause_for_each(fresh):
    # the shape of the risk reasoner's retrieval query: credential rule; PD scaling; caps that apply
    found = [item.clause.id for item in retrieve("毕业证书 提额；违约概率 风险调整；证书年限", lang="zh", k=4)]
    assert {"INC-GRAD", "RISK-PD", "INC-RECENCY"} <= set(found[:3])
    found = [item.clause.id for item in retrieve(
        "vocational skill certificate limit increase; probability of default risk scaling; recent delinquency", "en", k=4)]
    assert {"INC-VOC", "RISK-PD", "CAP-DELINQ"} <= set(found[:3])
