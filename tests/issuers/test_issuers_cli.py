"""`credlift issuers serve`: starts on 127.0.0.1, answers with the issuers' shapes, stops cleanly on Ctrl-C or
SIGTERM; bad input is one line and a non-zero exit."""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys

import httpx
import pytest

from credlift.tools.issuers.shapes import CetScoreAnswer, SkillCertificateAnswer


def start(*args: str, data_dir) -> tuple[subprocess.Popen, str, str]:
    env = {**os.environ, "CREDLIFT_DATA_DIR": str(data_dir), "GRADIO_ANALYTICS_ENABLED": "False"}
    process = subprocess.Popen([sys.executable, "-m", "credlift.ui.cli", "issuers", "serve", "--port", "0", *args],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    first = process.stdout.readline()  # printed once the port is bound; readline waits for it (or for an exit)
    found = re.search(r"http://127\.0\.0\.1:\d+", first)
    if not found:
        process.kill()
        raise AssertionError(f"no address announced: {first!r} {process.stderr.read()[-2000:]}")
    return process, found.group(0), first


def ask(url: str, path: str, body: dict, attempts: int = 600) -> httpx.Response:
    for _ in range(attempts):  # bound by count: the port is bound before uvicorn accepts
        try:
            return httpx.post(url + path, json=body, timeout=60)
        except httpx.ConnectError:
            import time

            time.sleep(0.1)
    raise AssertionError("the simulator never accepted a connection")


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_serve_answers_from_synthetic_labels_and_stops_cleanly(tmp_path, data_dir, stop_signal):
    labels = tmp_path / "labels.jsonl"
    labels.write_text(json.dumps({"file": "a.png", "type": "vocational", "fields": {
        "certificate_number": "Y000011000001234", "holder_name": "张强", "occupation": "电工",
        "skill_level": "level4", "id_number": "110101199003070014"}}, ensure_ascii=False) + "\n", encoding="utf-8")
    process, url, announced = start("--labels", str(labels), data_dir=data_dir)
    try:
        answer = SkillCertificateAnswer.model_validate_json(
            ask(url, "/skill/certificate", {"certificate_number": "y0000 1100 0001 234"}).content)
        assert answer.found and answer.record.holder_name == "张强" and answer.record.occupation == "电工"
        missing = CetScoreAnswer.model_validate_json(ask(url, "/cet/score", {"certificate_number": "1"}).content)
        assert not missing.found and missing.record is None
    finally:
        process.send_signal(stop_signal)
        out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err[-2000:]
    assert "1 skill" in announced and "stopped" in out and "Traceback" not in err


def test_serve_down_answers_503_and_bad_input_is_one_line(credlift_cli, tmp_path, data_dir):
    process, url, _ = start("--state", "down", "--no-registry", data_dir=data_dir)
    try:
        assert ask(url, "/cet/score", {"certificate_number": "1"}).status_code == 503
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=120)
    code, _, err = credlift_cli("issuers", "serve", "--state", "sideways")  # refused before it binds a port
    assert code == 2 and err.strip().startswith("error:") and len(err.strip().splitlines()) == 1
    code, _, err = credlift_cli("issuers", "serve", "--labels", str(tmp_path / "nope.jsonl"))
    assert code == 2 and "does not exist" in err
