"""Postgres restarted mid-conversation: while it is away the applicant is asked, in their language, to try again
in a moment; once it is back the very next call succeeds, with no restart of the app and nothing lost. How long
that call may wait is bounded by construction (credlift/database.py: a 2 s checkout, two retries after 0.2 s and
0.6 s), so the test asserts the outcome, never the wall clock: a busy machine is slow, not broken."""
from __future__ import annotations

import time

import pytest

from credlift.errors import TemporarilyUnavailableError


@pytest.mark.postgres
def test_the_conversation_survives_a_database_restart(tmp_path, postgres_server):
    from credlift.agent.service import CredliftService
    from credlift.settings import Settings

    settings = Settings(data_dir=tmp_path / "data", database_url=postgres_server.url)
    service = CredliftService(settings)
    try:
        thread_id = service.start("demo-rider-01", lang="en").thread_id
        first = service.send(thread_id, "what documents can I use?")
        assert first.replies

        postgres_server.stop()
        down = time.perf_counter()
        with pytest.raises(TemporarilyUnavailableError) as outage:
            service.send(thread_id, "and how long does it take?")
        assert "try again" in str(outage.value) and "Error" not in str(outage.value)
        answered_in = time.perf_counter() - down

        postgres_server.start()
        started = time.perf_counter()
        after = service.send(thread_id, "thanks, and how do I upload?")
        elapsed = time.perf_counter() - started
        print(f"outage answered in {answered_in:.2f} s; first call after the restart {elapsed:.2f} s")
        assert after.replies
        # nothing lost: both turns before the outage are still in the conversation and its case
        texts = [m.text for m in service.transcript(thread_id)]
        assert "what documents can I use?" in texts and first.replies[0] in texts
        assert "thanks, and how do I upload?" in texts
        assert service.case_view(after.case_id, "helpdesk").summary.thread_id == thread_id
    finally:
        service.close()
