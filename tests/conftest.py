"""Shared fixtures: every test runs against its own data directory, offline, with analytics off."""
from __future__ import annotations

import os
import sys

import pytest

pytest_plugins = ["database_fixtures"]  # a throwaway PostgreSQL, and store tests on both engines

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
if os.environ.get("PYTEST_XDIST_WORKER_COUNT"):
    # test workers (pytest -n, scripts/run-tests.sh) share the cores: each one's thread pools get its share
    # (credlift/threads.py), set before numpy, OpenCV, onnxruntime or torch start a pool as large as the machine
    from credlift.threads import ENVIRONMENT, budget

    _share = str(budget(workers=int(os.environ["PYTEST_XDIST_WORKER_COUNT"])))
    os.environ.setdefault("CREDLIFT_THREADS_PER_WORKER", _share)
    for _name in ENVIRONMENT:
        os.environ.setdefault(_name, _share)
if "CREDLIFT_DATA_DIR" not in os.environ:
    # a test that takes no data_dir fixture still writes nothing into the working tree's data/, and two test
    # workers (pytest -n 2, scripts/run-tests.sh) never share one SQLite file or policy index
    import tempfile

    os.environ["CREDLIFT_DATA_DIR"] = tempfile.mkdtemp(prefix="credlift-test-data-")


@pytest.fixture()
def data_dir(tmp_path, monkeypatch):
    """A fresh CREDLIFT_DATA_DIR for this test; settings re-read."""
    from credlift.settings import reset_settings_cache

    directory = tmp_path / "data"
    monkeypatch.setenv("CREDLIFT_DATA_DIR", str(directory))
    reset_settings_cache()
    yield directory
    reset_settings_cache()


@pytest.fixture()
def settings(data_dir):
    from credlift.settings import get_settings

    return get_settings()


@pytest.fixture()
def credlift_cli(monkeypatch, capsys):
    """credlift_cli(*args) -> (exit code, stdout, stderr): the console entry point run in this process, so the
    models other tests loaded stay loaded (a subprocess pays the imports again)."""

    def run(*args: str) -> tuple[int, str, str]:
        from credlift.ui.cli import main

        monkeypatch.setattr(sys, "argv", ["credlift", *args])
        code = 0
        try:
            main()
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 0 if exit_.code is None else 1
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


# --- what each test costs: CPU seconds (this process and its waited-for children) and wall seconds -----------
# Written at the end of every run to PYTEST_COSTS_FILE (a path) or .pytest_cache/credlift-test-costs.json;
# CPU seconds hardly change with the machine's load, so they rank tests where wall times on a busy machine do not.
# Summarise with: python tests/cost_report.py [FILE]
def _cpu_seconds() -> float:
    import resource

    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


_COSTS: list[dict] = []
# a pytest that a test starts in a subprocess records nothing (it would overwrite the outer run's file)
_RECORD = os.environ.get("PYTEST_COSTS_RUN") in (None, str(os.getpid())) or "PYTEST_XDIST_WORKER" in os.environ
if os.environ.get("PYTEST_COSTS_RUN") is None:
    os.environ["PYTEST_COSTS_RUN"] = str(os.getpid())


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    import time

    cpu, wall = _cpu_seconds(), time.perf_counter()
    yield
    if _RECORD:
        _COSTS.append({"nodeid": item.nodeid, "cpu_s": round(_cpu_seconds() - cpu, 3),
                       "wall_s": round(time.perf_counter() - wall, 3)})


def _costs_path(config):
    from pathlib import Path

    target = os.environ.get("PYTEST_COSTS_FILE")
    return Path(target) if target else Path(str(config.rootpath)) / ".pytest_cache" / "credlift-test-costs.json"


def pytest_sessionstart(session):
    if _RECORD and "PYTEST_XDIST_WORKER" not in os.environ:  # a new run: no file of an earlier run's workers is left
        path = _costs_path(session.config)
        for old in path.parent.glob(f"{path.stem}*{path.suffix}"):
            old.unlink(missing_ok=True)


def pytest_sessionfinish(session, exitstatus):
    import json

    if not _COSTS:
        return
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    path = _costs_path(session.config)
    if worker:
        path = path.with_name(f"{path.stem}.{worker}{path.suffix}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"load_average": os.getloadavg(), "tests": _COSTS}, indent=0), encoding="utf-8")


# --- a Chroma server on 127.0.0.1 (CREDLIFT_CHROMA_URL: the policy index shared by app processes) ---------
@pytest.fixture()
def chroma_server(tmp_path):
    """`chroma run` (the server chromadb ships) on 127.0.0.1, stopped after the test."""
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    from local_servers import free_port, wait_until_listening

    binary = Path(sys.executable).parent / "chroma"
    binary = str(binary) if binary.exists() else shutil.which("chroma")
    port = free_port()
    process = subprocess.Popen([binary, "run", "--path", str(tmp_path / "chroma-server"), "--host", "127.0.0.1",
                                "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        try:
            wait_until_listening(port, process, 60, "chroma run")
        except (RuntimeError, TimeoutError) as error:
            pytest.fail(str(error))
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)
