"""`credlift ui`: bad ports give one line and exit 2, never a traceback."""
from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

CREDLIFT = Path(sys.executable).with_name("credlift")


def _run(*args: str, data_dir: Path) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "GRADIO_ANALYTICS_ENABLED": "False", "CREDLIFT_DATA_DIR": str(data_dir),
           "HF_HUB_OFFLINE": "1"}
    return subprocess.run([str(CREDLIFT), "ui", *args], capture_output=True, text=True, timeout=900, env=env)


def test_a_port_out_of_range_is_refused_in_one_line(tmp_path):
    result = _run("--port", "70000", data_dir=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == "error: --port must be between 1 and 65535, not 70000"


def test_a_port_already_in_use_is_refused_in_one_line(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = _run("--host", "127.0.0.1", "--port", str(port), data_dir=tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"error: cannot listen on 127.0.0.1:{port}")
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
