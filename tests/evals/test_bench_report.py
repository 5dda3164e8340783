"""`credlift bench`: the quick run writes one report whose page and JSON agree; the Tesseract peer reads a
synthetic CET report; bad arguments are one line and exit 2."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from credlift.evals.bench.report import fmt, lookup, render_html


def run_cli(*args: str, timeout: int = 3600) -> subprocess.CompletedProcess:
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False"}
    return subprocess.run([sys.executable, "-m", "credlift.ui.cli", *args], capture_output=True, text=True,
                          env=env, timeout=timeout)


def keyed_numbers(page: str) -> list[tuple[str, str]]:
    return re.findall(r'data-key="([^"]+)">([^<]*)<', page)


@pytest.fixture(scope="module")
def quick_bench(tmp_path_factory):
    report = tmp_path_factory.mktemp("bench-report")
    work = tmp_path_factory.mktemp("bench-work")
    completed = run_cli("bench", "--quick", "--sizes", "latency=1,throughput=2,reading=1,authenticity=8,decisions=50",
                        "--report", str(report), "--work-dir", str(work))
    return completed, report


def test_quick_bench_writes_a_report_whose_page_and_json_agree(quick_bench):
    completed, report = quick_bench
    assert completed.returncode == 0, completed.stderr[-2000:]
    summary = json.loads((report / "bench-summary.json").read_text(encoding="utf-8"))
    page = (report / "bench.html").read_text(encoding="utf-8")
    numbers = keyed_numbers(page)
    assert len(numbers) > 30
    for key, shown in numbers:
        assert shown == fmt(lookup(summary, key)), key
    assert page.count("data:image/png;base64,") >= 6  # latency, time budget, throughput, ROC, fields, retrieval
    assert "<script" not in page and "src=\"http" not in page  # one self-contained file


def test_the_bench_says_whether_the_header_keeps_its_promise(quick_bench):
    """The header tells applicants 'within a minute' (settings.decision_promise_s); the bench checks p95."""
    from credlift.settings import get_settings
    from credlift.ui.web.i18n import t

    completed, report = quick_bench
    summary = json.loads((report / "bench-summary.json").read_text(encoding="utf-8"))
    promise = summary["promise"]
    assert promise["header_s"] == get_settings().decision_promise_s == 60
    assert promise["p95_s"] == summary["figures"]["time_to_decision_p95_s"]
    assert promise["kept"] == (promise["p95_s"] <= 60)
    assert "the header promises a decision within 60 s" in completed.stdout
    assert "within a minute" in t("en", "app_tagline") and "一分钟内" in t("zh", "app_tagline")
    assert 'data-key="promise.kept"' in (report / "bench.html").read_text(encoding="utf-8")


def test_quick_bench_measures_every_part(quick_bench):
    completed, report = quick_bench
    summary = json.loads((report / "bench-summary.json").read_text(encoding="utf-8"))
    assert summary["latency"]["total_s"]["n"] == 1 and summary["latency"]["total_s"]["p95"] > 0
    assert {"authenticate", "extract", "decide"} <= set(summary["latency"]["stages_s"])
    assert set(summary["throughput"]) == {"1", "2"}
    assert all(run["applications"] == 2 and run["applications_per_minute"] > 0 for run in summary["throughput"].values())
    assert summary["figures"]["peak_memory_mb"] > 50
    assert set(summary["reading"]) == {"rapidocr", "tesseract_chi_sim"}
    assert {curve["detector"] for curve in summary["authenticity"]["roc"]} == {"fused", "plain_ela"}
    # the page is read before the signals, as the app does (the content check needs the text); timed apart
    assert summary["authenticity"]["seconds_per_image"]["p50"] > 0
    assert summary["authenticity"]["ocr_seconds_per_image"]["p50"] > 0
    assert {"keyword", "hybrid"} <= set(summary["retrieval"]["modes"])
    assert set(summary["targets"]) == {"time_to_decision_p50_over_ocr_p50", "time_to_decision_p95_s",
                                       "cpu_s_per_application_mean", "scaling_2_workers",
                                       "applications_per_minute_2_workers", "peak_memory_mb",
                                       "ray_overhead_cpu_per_upload"}
    assert "time_to_decision_p95_s:" in completed.stdout


def test_quick_bench_tells_where_the_time_goes(quick_bench):
    completed, report = quick_bench
    summary = json.loads((report / "bench-summary.json").read_text(encoding="utf-8"))
    page = (report / "bench.html").read_text(encoding="utf-8")
    latency, figures = summary["latency"], summary["figures"]
    # CPU per stage, beside the wall time, and it adds up to no more than the upload's CPU
    assert {"authenticate", "extract"} <= set(latency["stages_cpu_s"])
    assert latency["stages_cpu_s"]["authenticate"]["p50"] > 0
    assert sum(d["mean"] for d in latency["stages_cpu_s"].values()) <= latency["cpu_s"]["mean"] * 1.01 + 0.01
    # every authenticity check timed (CPU and wall), or named as skipped by the cascade
    checks = set(latency["checks_cpu_ms"]) | set(latency["checks_skipped"])
    assert {"metadata", "ela", "trace", "grid", "domain"} <= checks
    assert all(d["n"] >= 1 for d in latency["checks_cpu_ms"].values())
    # the OCR floor of the same run, and the ratio to it
    assert figures["ocr_floor_p50_s"] > 0 and figures["ocr_floor_cpu_p50_s"] > 0
    assert figures["time_to_decision_p50_over_ocr_p50"] == round(latency["total_s"]["p50"] / figures["ocr_floor_p50_s"], 3)
    # scaling for 1..N workers, efficiency = speed-up / workers
    assert set(summary["scaling"]["efficiency"]) == set(summary["throughput"]) == {"1", "2"}
    assert summary["scaling"]["efficiency"]["1"] == 1.0
    assert summary["throughput"]["2"]["cpu_s_per_application"] > 0
    # workers against one worker on the threads each of them has: on 2 cores one worker alone gets both (two lanes),
    # so the same-threads run is its own, on one thread; on one core the plain run is already that
    same = summary["scaling"]["same_threads"]
    assert same["workers"] == 2 and same["threads_per_worker"] == max(1, len(os.sched_getaffinity(0)) // 2)
    assert same["one_worker"]["worker_reports"][0]["threads"] == same["threads_per_worker"]
    assert same["one_worker"]["applications"] == 2
    assert same["speedup"] == round(summary["throughput"]["2"]["applications_per_minute"]
                                    / same["one_worker"]["applications_per_minute"], 3)
    assert figures["scaling_same_threads"] == same["speedup"]
    assert "2 workers on" in completed.stdout and "one worker on as many" in completed.stdout
    # a CPU profile of the slowest stage, its functions by cumulative CPU
    profile = summary["profile"]
    assert profile["stage"] == figures["slowest_stage"] and profile["rows"]
    cumulative = [row["cumulative_cpu_s"] for row in profile["rows"]]
    assert cumulative == sorted(cumulative, reverse=True) and profile["cpu_s"] > 0
    assert "Where the time goes" in page and "Profile of the slowest stage" in page


def test_the_bench_page_shows_the_outcome_matrix_of_an_eval_in_the_same_folder(quick_bench, tmp_path):
    _, report = quick_bench
    summary = json.loads((report / "bench-summary.json").read_text(encoding="utf-8"))
    eval_summary = {"dialogues": 3, "trials": 1, "passed": 2, "failed": 1, "pass_rate": 0.6667,
                    "outcome_matrix": [{"expected": "approve", "actual": "approve", "count": 2},
                                       {"expected": "decline", "actual": "refer", "count": 1}]}
    page = render_html(summary, eval_summary)
    assert "2 passed, 1 failed of 3 dialogues" in page and "<td>refer</td>" in page


def test_the_tesseract_peer_reads_a_synthetic_cet_report():
    from credlift.evals.bench.tesseract_reader import tesseract_lines
    from credlift.evals.synth import SynthSpec, render_credential
    from credlift.tools.extraction import extract_credential
    from credlift.tools.intake import load_upload

    sample = render_credential(SynthSpec(type="cet6", seed=42, capture="scan", fields={"holder_name": "林晓雨"}))
    upload = load_upload(sample.image_bytes, f"cet6.{sample.extension}")
    lines = tesseract_lines(upload.rgb)
    assert any("大学英语" in line.text for line in lines)
    record = extract_credential(upload, ocr_lines=lines)
    truth = sample.label["fields"]
    assert record.type == "cet6"
    assert record.fields.get("holder_name") == "林晓雨"
    assert record.fields.get("admission_number") == truth["admission_number"]
    assert record.fields.get("exam_session") == truth["exam_session"]


@pytest.mark.parametrize("arguments", [
    ["bench", "--sizes", "colours=3"],
    ["bench", "--sizes", "latency=none"],
    ["bench", "--quick", "--sizes", "throughput=1"],
    ["eval", "--dialogues", "/no/such/folder"],
    ["eval", "--trials", "0"],
    ["eval", "--latency-clock", "sundial"],
    ["eval", "--latency-clock", "work", "--via", "http://127.0.0.1:9"],
])
def test_bad_arguments_give_one_line_and_exit_2(credlift_cli, arguments):
    code, _, stderr = credlift_cli(*arguments)
    assert code == 2
    lines = [line for line in stderr.strip().splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:") and "Traceback" not in stderr


def test_an_unknown_key_in_a_dialogue_is_reported_with_file_and_line(credlift_cli, tmp_path):
    (tmp_path / "d.yaml").write_text("id: x\naccount: {fixture: demo-graduate-01}\nturns:\n  - user: hi\n    colour: red\n",
                                     encoding="utf-8")
    code, _, stderr = credlift_cli("eval", "--dialogues", str(tmp_path))
    assert code == 2
    assert re.search(r"d\.yaml:5: unknown key at 'turns\.0\.colour'", stderr)


def test_quick_bench_has_the_scale_section(quick_bench):
    """Issue 27: the analysis on 1 and 2 Ray replicas against in-process, the overhead, the cores estimate, on the
    page as in the JSON."""
    completed, report = quick_bench
    summary = json.loads((report / "bench-summary.json").read_text(encoding="utf-8"))
    scale = summary["scale"]
    assert set(scale["runs"]) == {"1", "2"} and all(run["uploads_per_minute"] > 0 for run in scale["runs"].values())
    assert scale["in_process"]["cpu_s_per_upload"] > 0.05 and scale["on_ray"]["cpu_s_per_upload"] > 0.05
    assert scale["overhead_cpu"] == round(scale["on_ray"]["cpu_s_per_upload"] / scale["in_process"]["cpu_s_per_upload"]
                                          - 1, 4)
    estimate = scale["estimate"]
    expected = estimate["worker_cpu_s_per_upload"] * 1000 / 60 / estimate["utilisation"]
    assert abs(estimate["worker_cores"] - expected) <= 0.051 and estimate["total_cores"] >= estimate["worker_cores"]
    assert summary["figures"]["cores_for_1000_uploads_per_minute"] == estimate["total_cores"]
    page = (report / "bench.html").read_text(encoding="utf-8")
    assert "Scale: the analysis on Ray" in page and 'data-key="scale.estimate.worker_cores"' in page
    assert "uploads/min with 1 / 2 replicas" in completed.stdout
