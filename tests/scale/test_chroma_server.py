"""Chroma in client/server mode (CREDLIFT_CHROMA_URL): the policy index lives on one Chroma server that every app
process shares; an app process's data folder then holds no index, and a second process finds the index built."""
from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture()
def chroma_server(tmp_path):
    """`chroma run` (the server chromadb ships) on 127.0.0.1, stopped after the test."""
    import sys

    binary = Path(sys.executable).parent / "chroma"
    binary = str(binary) if binary.exists() else shutil.which("chroma")
    port = _free_port()
    process = subprocess.Popen([binary, "run", "--path", str(tmp_path / "chroma-server"), "--host", "127.0.0.1",
                                "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if process.poll() is not None:
                pytest.fail(f"chroma run exited with {process.returncode}")
            time.sleep(0.2)
        else:
            pytest.fail("chroma run did not listen within 60 s")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


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
