"""Durable conversations: kill the process in the middle of an application, start it again with the same thread,
and the conversation and the case continue; nothing is lost or done twice. SQLite by default, and PostgreSQL."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

CHILD = Path(__file__).with_name("application_child.py")
AUTHENTICATE_STARTED = "正在检查证书真伪…"  # the stage after intake and extract (tools/pipeline.STAGES)


def _run_child_until_authentication_starts(env: dict, thread_id: str, account_id: str, image: Path) -> list[str]:
    """Starts an application in a child process and SIGKILLs it as soon as the authenticity check begins."""
    process = subprocess.Popen([sys.executable, str(CHILD), thread_id, account_id, str(image)], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen: list[str] = []
    try:
        for line in process.stdout:
            seen.append(line.strip())
            if line.strip() == f"PROGRESS {AUTHENTICATE_STARTED}":
                os.kill(process.pid, signal.SIGKILL)
                break
    finally:
        process.wait(timeout=900)
    if process.returncode != -signal.SIGKILL:
        raise AssertionError(f"child ended on its own ({process.returncode}): {seen} {process.stderr.read()[-2000:]}")
    return seen


def _continue_after_kill(data_dir: Path, database_url: str, thread_id: str, account_id: str):
    from credlift.agent.service import CredliftService
    from credlift.settings import Settings

    service = CredliftService(Settings(data_dir=data_dir, database_url=database_url))
    try:
        resumed = service.start(account_id, thread_id=thread_id)
        values = service.graph.get_state(service._config(thread_id)).values
        case_id = service.case_for_thread(thread_id)
        return resumed, values, service.transcript(thread_id), service.audit_log(case_id), \
            service.services.accounts.get(account_id), service.status(thread_id)
    finally:
        service.close()


def _assert_continued_once(seen, resumed, values, transcript, audit, account, status, limit_before):
    assert "STARTED" in seen and f"PROGRESS {AUTHENTICATE_STARTED}" in seen
    # the restarted process finished the application where the killed one stopped
    decision = resumed.decision
    assert decision is not None
    assert "intake" not in resumed.nodes_run and "extract" not in resumed.nodes_run
    assert {"authenticate", "validate", "assess", "decide", "explain"} <= set(resumed.nodes_run)
    assert len(resumed.replies) >= 2  # welcome back, then the outcome of the application
    # nothing done twice
    for node in ("intake", "extract", "authenticate", "validate", "assess", "decide", "explain"):
        assert values["nodes_run"].count(node) == 1, (node, values["nodes_run"])
    assert [e.action for e in audit].count("authenticity_checked") == 1
    increased = decision.kind == "approve"
    assert [e.action for e in audit].count("limit_updated") == int(increased)
    assert account.current_limit == limit_before + decision.increase
    assert len(account.counted_credentials) == int(increased)
    # nothing lost: greeting, the question, the upload and the outcome, each once
    texts = [m.text for m in transcript]
    assert texts.count("你好，我想提额") == 1
    assert sum("cert.jpg" in t for t in texts) == 1
    assert texts[-1] == resumed.replies[-1]
    assert status.decision == decision and status.awaiting == ("review" if decision.kind == "refer" else "user")


@pytest.mark.slow
def test_a_killed_application_continues_after_restart_without_repeating_work(tmp_path, certificate):
    image = tmp_path / "cert.jpg"
    image.write_bytes(certificate("林晓雨", seed=26, total_score=561))
    data_dir = tmp_path / "data"
    thread_id = f"kill-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "CREDLIFT_DATA_DIR": str(data_dir), "CREDLIFT_DATABASE_URL": ""}
    seen = _run_child_until_authentication_starts(env, thread_id, "demo-graduate-01", image)
    _assert_continued_once(seen, *_continue_after_kill(data_dir, "", thread_id, "demo-graduate-01"),
                           limit_before=2000)


@pytest.mark.slow
@pytest.mark.postgres
def test_a_killed_application_continues_after_restart_with_postgres(tmp_path, certificate, postgres_database):
    image = tmp_path / "cert.jpg"
    image.write_bytes(certificate("林晓雨", seed=26, total_score=561))
    data_dir = tmp_path / "data"
    thread_id = f"kill-pg-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "CREDLIFT_DATA_DIR": str(data_dir), "CREDLIFT_DATABASE_URL": postgres_database}
    seen = _run_child_until_authentication_starts(env, thread_id, "demo-graduate-01", image)
    result = _continue_after_kill(data_dir, postgres_database, thread_id, "demo-graduate-01")
    _assert_continued_once(seen, *result, limit_before=2000)
    import psycopg

    with psycopg.connect(postgres_database) as connection:  # the checkpoints and the case really are in Postgres
        assert connection.execute("SELECT count(*) FROM checkpoints WHERE thread_id = %s", (thread_id,)).fetchone()[0] > 0
        assert connection.execute("SELECT count(*) FROM cases WHERE thread_id = %s", (thread_id,)).fetchone()[0] == 1
