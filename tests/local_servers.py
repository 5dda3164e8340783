"""Servers the tests start on 127.0.0.1 (PostgreSQL, a Chroma server, Ray, the web app): a free port, and a bounded
wait for a started process to listen on its port."""
from __future__ import annotations

import socket
import subprocess
import time


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def wait_until_listening(port: int, process: subprocess.Popen, limit_s: float, what: str) -> None:
    """Returns once something listens on 127.0.0.1:port; raises when `process` exits first or after limit_s."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if listening(port):
            return
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode} before listening on port {port}")
        time.sleep(0.2)
    raise TimeoutError(f"{what} did not listen on port {port} within {limit_s:.0f} s")
