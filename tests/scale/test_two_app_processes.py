"""Past one machine, tested on one (issue 27; docs/scale.md): a local Ray cluster (a head and a worker node started
with `ray start`), a Chroma server, one throwaway Postgres and one shared data folder, and two `credlift ui`
processes (the real web app, as deploy/compose.yaml runs it) that keep no state of their own.

50 simulated users talk to the app through gradio_client, half of them to each process, 6 at a time. Each user has
an account of their own (a freelancer's profile under a fresh id, name and ID number, stored in Postgres before the
apps start) and, each through a gradio_client session of their own:
  1. /start opens a conversation (the greeting, and a session token signed with the shared secret);
  2. /send says "你好，我想提额" (I would like a higher limit);
  3. /upload sends a scan of a CET-6 score report generated in the user's own name and ID number (a distinct
     certificate per user, score 561: an increase when the document holds up) and reads the decision.
Once 15 decisions have come back and a user of process A is uploading, A is killed with SIGKILL. A user whose call
to A fails goes on with process B and the same session token (no sticky sessions): /status there finishes a run A
left half-done from its Postgres checkpoint and answers with its decision; a user whose upload never ran on A
uploads again; a user who had no conversation yet starts one on B.

Asserted: no user sees an error (after going on with B); each user's decision is recorded exactly once in
Postgres, under the user's one case, and is the decision the user was shown; an approved increase was applied to
the account once; every conversation A had started was finished on B under the same thread; no SQLite file was
written (every store is in Postgres). Measured (printed as SCALE-TEST): wall time of the setup and of the users,
decisions by kind, conversations resumed.
"""
from __future__ import annotations

import base64
import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from local_servers import free_port, wait_until_listening

USERS = 50
AT_ONCE = 6                 # users talking at the same time (threads of this test)
KILL_AFTER_DECISIONS = 15   # process A is killed once this many users have their decision
BASE_PROFILE = "demo-freelancer-01"
NAMES = ("林晓雨", "王小明", "孙悦", "张伟", "李娜", "刘洋", "陈静", "杨帆", "赵磊", "黄丽")
APP_START_LIMIT_S = 300     # every wait is bounded; these are bounds for a busy machine, not speed targets
CALL_LIMIT_S = 300
USERS_LIMIT_S = 1200
ATTEMPTS = 3                # a user's tries: the home process, then the other (and one spare)


class AppGone(Exception):
    """The app process a call went to was killed."""


class AppProcess:
    """`credlift ui` on a free port of 127.0.0.1, in a process group of its own."""

    def __init__(self, name: str, env: dict[str, str], folder: Path):
        self.name, self.port, self.killed = name, free_port(), threading.Event()
        self.log = folder / f"app-{name}.log"
        env = {**env, "GRADIO_TEMP_DIR": str(folder / f"gradio-{name}")}
        with self.log.open("w") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "credlift.ui.cli", "ui", "--host", "127.0.0.1", "--port", str(self.port)],
                env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
        self.url = f"http://127.0.0.1:{self.port}/"

    def wait_ready(self) -> None:
        """Listening and answering (the service, its Ray replica and the policy index are ready before it listens)."""
        import httpx

        deadline = time.monotonic() + APP_START_LIMIT_S
        try:
            wait_until_listening(self.port, self.process, APP_START_LIMIT_S, f"app {self.name}")
            while httpx.get(self.url + "config", timeout=10).status_code != 200:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"app {self.name} did not answer within {APP_START_LIMIT_S} s")
                time.sleep(0.5)
        except Exception as error:
            raise RuntimeError(f"{error}\n{self.tail()}") from None

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]

    def kill(self) -> None:
        self.killed.set()
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=60)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=30)


@dataclass
class User:
    account_id: str
    photo: Path
    home: AppProcess
    clients: dict = field(default_factory=dict)
    token: str = ""
    thread_id: str = ""
    started_on: str = ""
    asked: bool = False
    uploading_on: str = ""
    uploads: int = 0
    went_over: bool = False
    resumed_by_status: bool = False
    decision: dict | None = None
    decided_on: str = ""
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0


def _call(user: User, app: AppProcess, *args, api_name: str):
    """One API call as the user's own gradio_client session on `app`; AppGone when `app` was killed meanwhile."""
    from gradio_client import Client

    if app.killed.is_set():
        raise AppGone(app.name)
    try:
        if app.name not in user.clients:
            user.clients[app.name] = Client(app.url, verbose=False, download_files=False)
        job = user.clients[app.name].submit(*args, api_name=api_name)
        deadline = time.monotonic() + CALL_LIMIT_S
        while True:
            try:
                return job.result(timeout=1.0)
            except TimeoutError:
                if app.killed.is_set():
                    raise AppGone(app.name) from None
                if time.monotonic() > deadline:
                    raise
    except AppGone:
        raise
    except Exception:
        if app.killed.is_set():
            raise AppGone(app.name) from None
        raise


def _run_user(user: User, survivor: AppProcess) -> User:
    """The user's application, going on with `survivor` when the home process is gone (see the module docstring)."""
    from gradio_client import handle_file

    started = time.monotonic()
    app = user.home
    for _ in range(ATTEMPTS):
        try:
            if not user.token:
                turn = _call(user, app, user.account_id, "zh", api_name="/start")
                user.token, user.thread_id, user.started_on = turn["session_token"], turn["thread_id"], app.name
            elif user.went_over:
                status = _call(user, app, user.token, api_name="/status")
                assert status["thread_id"] == user.thread_id, (status["thread_id"], user.thread_id)
                if status["decision"] is not None:  # decided on A (the answer lost), or A's half-done run finished
                    user.decision, user.decided_on, user.resumed_by_status = status["decision"], app.name, True
                    break
            if not user.asked:
                _call(user, app, user.token, "你好，我想提额", api_name="/send")
                user.asked = True
            user.uploading_on, user.uploads = app.name, user.uploads + 1
            turn = _call(user, app, user.token, [handle_file(str(user.photo))], "zh", api_name="/upload")
            user.decision, user.decided_on = turn["decision"], app.name
            break
        except AppGone:
            user.went_over, app = True, survivor
        except Exception as error:  # what the person would see: an error sentence, or a broken connection
            user.errors.append(f"{type(error).__name__}: {error}"[:300])
            break
        finally:
            user.uploading_on = ""
    user.seconds = time.monotonic() - started
    return user


def _id_number(index: int) -> str:
    from stdnum.cn import ric

    body = f"110105{2000 + index % 5}{index % 12 + 1:02d}{index % 28 + 1:02d}{100 + index:03d}"
    return body + ric.calc_check_digit(body + "0")  # the check character of the first 17


def _accounts_and_photos(settings, folder: Path) -> list[tuple[str, Path]]:
    """USERS accounts in the shared store (Postgres), and a CET-6 report in each holder's name."""
    from credlift.crypto import cipher_for
    from credlift.evals.synth import SynthSpec, render_credential
    from credlift.tools.accounts import AccountStore, load_demo_profiles
    from credlift.ui.commands.synth import holder_fields

    base = next(p for p in load_demo_profiles() if p.account_id == BASE_PROFILE)
    store = AccountStore.for_settings(settings, cipher_for(settings))
    made = []
    try:
        for index in range(USERS):
            profile = store.save(base.model_copy(update={"account_id": f"sim-{index:02d}",
                                                         "name": NAMES[index % len(NAMES)],
                                                         "id_number": _id_number(index)}))
            fields = {**holder_fields(profile, ["cet6"])["cet6"], "total_score": 561}
            sample = render_credential(SynthSpec(type="cet6", seed=100 + index, capture="scan", fields=fields))
            path = folder / f"cet6-{profile.account_id}.{sample.extension}"
            path.write_bytes(sample.image_bytes)
            made.append((profile.account_id, path))
    finally:
        store.close()
    return made


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.timeout(2400)
def test_fifty_users_on_two_app_processes_one_killed_midway(tmp_path, ray_cluster, chroma_server,
                                                             postgres_database):
    from credlift.settings import Settings

    began = time.monotonic()
    data_dir, photos = tmp_path / "volume", tmp_path / "photos"
    photos.mkdir()
    secret_env = {"CREDLIFT_DATA_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
                  "CREDLIFT_SESSION_SECRET": secrets.token_urlsafe(32)}
    env = {key: value for key, value in os.environ.items() if not key.startswith(("CREDLIFT_", "PYTEST_"))}
    env.update(secret_env, CREDLIFT_DATA_DIR=str(data_dir), CREDLIFT_DATABASE_URL=postgres_database,
               CREDLIFT_CHROMA_URL=chroma_server, CREDLIFT_RAY_ADDRESS=ray_cluster.address,
               CREDLIFT_RAY_REPLICAS="1", CREDLIFT_RAY_CPUS_PER_REPLICA="1", CREDLIFT_THREADS_PER_WORKER="1",
               GRADIO_ANALYTICS_ENABLED="False")
    settings = Settings(data_dir=data_dir, database_url=postgres_database, chroma_url=chroma_server,
                        data_key=secret_env["CREDLIFT_DATA_KEY"])
    settings.ensure_dirs()
    from credlift.knowledge.index import open_index

    open_index(settings)  # built once on the Chroma server before the app processes start, as a deployment does
    made = _accounts_and_photos(settings, photos)

    apps = [AppProcess(name, env, tmp_path) for name in ("A", "B")]
    try:
        for app in apps:
            app.wait_ready()
        ready = time.monotonic()
        a, b = apps
        users = [User(account_id, photo, apps[index % 2]) for index, (account_id, photo) in enumerate(made)]
        with ThreadPoolExecutor(max_workers=AT_ONCE) as pool:
            futures = [pool.submit(_run_user, user, b) for user in users]
            deadline = time.monotonic() + USERS_LIMIT_S
            while time.monotonic() < deadline and not all(f.done() for f in futures):
                decided = sum(user.decision is not None for user in users)
                if decided >= KILL_AFTER_DECISIONS and any(u.uploading_on == "A" for u in users):
                    break
                time.sleep(0.1)
            killed_at = sum(user.decision is not None for user in users)
            in_flight_on_a = sum(user.uploading_on == "A" for user in users)
            a.kill()
            for future in futures:
                future.result(timeout=max(1.0, deadline - time.monotonic()))
        finished = time.monotonic()

        # what the users saw
        assert in_flight_on_a >= 1 and killed_at < USERS, "A was not killed in the middle of the run"
        assert [u.errors for u in users if u.errors] == []
        assert all(u.decision is not None for u in users)
        assert all(u.decided_on == "B" for u in users if u.went_over)

        # what Postgres recorded: one case per user, its one decision, the one the user saw
        from credlift.agent.case_store import CaseStore
        from credlift.crypto import cipher_for
        from credlift.tools.accounts import AccountStore, load_demo_profiles

        cipher = cipher_for(settings)
        cases = CaseStore(postgres_database, data_dir / "cases.sqlite3", cipher)
        accounts = AccountStore.for_settings(settings, cipher)
        base_limit = next(p.current_limit for p in load_demo_profiles() if p.account_id == BASE_PROFILE)
        try:
            by_account: dict[str, list] = {}
            for case in cases.cases():
                by_account.setdefault(case.account_id, []).append(case)
            for user in users:
                mine = by_account.get(user.account_id, [])
                assert [case.thread_id for case in mine] == [user.thread_id], user.account_id
                decisions = cases.decisions(mine[0].case_id)
                assert len(decisions) == 1, (user.account_id, len(decisions))
                _, stored, _ = decisions[0]
                assert (stored.kind, stored.increase) == (user.decision["kind"], user.decision["increase"])
                account = accounts.get(user.account_id)
                approved = stored.kind == "approve" and stored.increase > 0
                assert len(account.counted_credentials) == int(approved), user.account_id
                assert account.current_limit == base_limit + (stored.increase if approved else 0)
        finally:
            cases.close()
            accounts.close()

        # A's conversations went on with B, under the same threads
        of_a = [u for u in users if u.started_on == "A" and u.went_over]
        assert of_a and all(u.decided_on == "B" for u in of_a)
        assert sorted(p.name for p in data_dir.rglob("*.sqlite3")) == []

        kinds: dict[str, int] = {}
        for user in users:
            kinds[user.decision["kind"]] = kinds.get(user.decision["kind"], 0) + 1
        seconds = sorted(u.seconds for u in users)
        print("SCALE-TEST " + json.dumps({
            "users": USERS, "at_once": AT_ONCE, "setup_s": round(ready - began, 1),
            "users_s": round(finished - ready, 1), "decisions": kinds,
            "decided_before_kill": killed_at, "uploads_in_flight_on_A_at_kill": in_flight_on_a,
            "users_of_A_gone_over": sum(u.home is a and u.went_over for u in users),
            "conversations_of_A_resumed_on_B": len(of_a),
            "resumed_by_status": sum(u.resumed_by_status for u in of_a),
            "uploaded_again_on_B": sum(u.uploads > 1 for u in users),
            "user_seconds_p50": round(seconds[len(seconds) // 2], 1), "user_seconds_max": round(seconds[-1], 1),
        }, ensure_ascii=False), flush=True)
    except BaseException:
        for app in apps:
            print(f"--- app {app.name} log ---\n{app.tail()}", file=sys.stderr)
        raise
    finally:
        for app in apps:
            app.stop()
