"""Embedding backends: the WordLlama model inside its wheel (no network ever), or an OpenAI-compatible endpoint."""
from __future__ import annotations

import socket

import numpy as np
import pytest

import credlift.knowledge.embeddings as embeddings_module
from credlift.errors import BackendUnavailableError
from credlift.evals.openai_test_server import OpenAITestServer
from credlift.knowledge import reset_caches
from credlift.knowledge.embeddings import (OpenAICompatibleEmbeddingFunction, WordLlamaEmbeddingFunction,
                                           embedding_function_from_settings, load_wordllama, wordllama_package_dir)
from credlift.knowledge.index import open_index
from credlift.knowledge.retriever import rank_clauses
from credlift.settings import Settings


def test_wordllama_loads_from_its_wheel_with_downloads_impossible(monkeypatch):
    import wordllama.wordllama as wordllama_module

    def no_network(*args, **kwargs):
        raise AssertionError("WordLlama tried to download")

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(wordllama_module.requests, "get", no_network)
    monkeypatch.setattr(embeddings_module, "_wordllama_models", {})
    model = load_wordllama()
    vectors = WordLlamaEmbeddingFunction()(["how long does manual review take", "人工审核要多久"])
    assert len(vectors) == 2 and vectors[0].shape == (256,)
    assert np.isclose(np.linalg.norm(vectors[0]), 1.0, atol=1e-4)
    assert model is load_wordllama()  # cached in-process
    assert (wordllama_package_dir() / "weights" / "l2_supercat_256.safetensors").exists()


def test_wordllama_embeddings_put_paraphrases_closer_than_unrelated_text():
    review, review_paraphrase, budget = WordLlamaEmbeddingFunction()(
        ["how long does manual review take", "time needed for a review by staff", "build an emergency fund"])
    assert float(review @ review_paraphrase) > float(review @ budget)


def test_the_embedding_backend_follows_the_settings():
    assert isinstance(embedding_function_from_settings(Settings()), WordLlamaEmbeddingFunction)
    remote = embedding_function_from_settings(Settings(embeddings_base_url="http://127.0.0.1:9/v1", embeddings_model="bge-m3"))
    assert isinstance(remote, OpenAICompatibleEmbeddingFunction)
    assert remote.identity() == "openai:http://127.0.0.1:9/v1:bge-m3"
    assert "api_key" not in remote.get_config()


def test_an_openai_compatible_endpoint_replaces_wordllama_for_indexing_and_queries(tmp_path):
    local = WordLlamaEmbeddingFunction()

    def embed(body):
        texts = [body["input"]] if isinstance(body["input"], str) else body["input"]
        return [vector.tolist() for vector in local(texts)]

    reset_caches()
    with OpenAITestServer(embeddings_handler=embed) as server:
        settings = Settings(data_dir=tmp_path / "data", embeddings_base_url=server.base_url, embeddings_model="bge-m3",
                            embeddings_api_key="secret")
        index, report = open_index(settings)
        assert report.embedding_backend == f"openai:{server.base_url}:bge-m3"
        paths = [path for path, _ in server.requests]
        assert paths and all(path.endswith("/embeddings") for path in paths)
        assert all(body["model"] == "bge-m3" for _, body in server.requests)
        assert sum(len(body["input"]) for _, body in server.requests) == report.documents
        indexed = len(server.requests)
        top = rank_clauses(index, "how long does manual review take", lang="en", k=3, mode="dense")
        assert len(server.requests) == indexed + 1  # the query went over HTTP too
        assert "REV-MANUAL" in [item.clause.id for item in top]
    reset_caches()


def test_an_unreachable_embeddings_endpoint_is_a_typed_backend_error():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    function = OpenAICompatibleEmbeddingFunction(base_url=f"http://127.0.0.1:{port}/v1", model="m", timeout_s=2)
    with pytest.raises(BackendUnavailableError, match="embeddings endpoint"):
        function(["hello"])


def test_a_wrong_number_of_vectors_is_a_typed_backend_error():
    with OpenAITestServer(embeddings_handler=lambda body: [[1.0, 0.0]]) as server:
        function = OpenAICompatibleEmbeddingFunction(base_url=server.base_url, model="m")
        with pytest.raises(BackendUnavailableError, match="returned 1 vectors for 2 texts"):
            function(["one", "two"])


def test_retrieval_falls_back_to_keywords_when_the_embeddings_server_is_down(tmp_path):
    from credlift.knowledge.index import get_index

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = Settings(data_dir=tmp_path / "data", embeddings_base_url=f"http://127.0.0.1:{port}/v1")
    reset_caches()
    with pytest.raises(BackendUnavailableError):
        open_index(settings)  # `credlift index` reports the failure
    index = get_index(settings)  # a running service keeps answering
    assert index.degraded_until > 0 and index.collection is None
    found = [item.clause.id for item in rank_clauses(index, "how long does manual review take", lang="en")]
    assert "REV-MANUAL" in found
    reset_caches()


def test_a_server_that_fails_after_indexing_still_leaves_keyword_answers(tmp_path):
    local = WordLlamaEmbeddingFunction()
    state = {"up": True}

    def embed(body):
        if not state["up"]:
            return [[0.0]]  # a malformed answer: one short vector for every input
        return [vector.tolist() for vector in local(body["input"])]

    reset_caches()
    with OpenAITestServer(embeddings_handler=embed) as server:
        index, _ = open_index(Settings(data_dir=tmp_path / "data", embeddings_base_url=server.base_url))
        state["up"] = False
        found = [item.clause.id for item in rank_clauses(index, "我要找人工客服", lang="zh")]
        assert "HUMAN-HELP" in found
        with pytest.raises(BackendUnavailableError, match="does not fit"):
            rank_clauses(index, "我要找人工客服", lang="zh", mode="dense")
    reset_caches()
