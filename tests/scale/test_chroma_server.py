"""Chroma in client/server mode (CREDLIFT_CHROMA_URL): the policy index lives on one Chroma server that every app
process shares; an app process's data folder then holds no index, and a second process finds the index built."""
from __future__ import annotations

import pytest


@pytest.mark.timeout(300)
def test_two_app_processes_share_the_policy_index_on_a_chroma_server(tmp_path, chroma_server):
    from credlift.knowledge.index import open_index
    from credlift.settings import Settings

    first = Settings(data_dir=tmp_path / "app-1", chroma_url=chroma_server)
    second = Settings(data_dir=tmp_path / "app-2", chroma_url=chroma_server)
    index, report = open_index(first)
    assert report.rebuilt and report.path == chroma_server and report.documents > 10
    again, report_2 = open_index(second)
    assert not report_2.rebuilt  # built once, on the server, found there by the other process
    assert not (tmp_path / "app-1" / "chroma").exists() and not (tmp_path / "app-2" / "chroma").exists()
    ranked = again.dense_rank("how much can my limit go up with a CET-6 certificate", "en")
    assert ranked and ranked == index.dense_rank("how much can my limit go up with a CET-6 certificate", "en")
