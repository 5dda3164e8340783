"""The eval report: a JSON summary (the numbers) and an HTML page rendered from exactly that summary."""
from __future__ import annotations

import html
import json
from collections import Counter
from pathlib import Path

from credlift.evals.replay.model_use import ModelUse, summary_line
from credlift.evals.replay.runner import SuiteResult


def summarise(result: SuiteResult) -> dict:
    outcomes = result.outcomes
    latencies = sorted(t.latency_s for o in outcomes for t in o.turns if t.kind != "staff")
    upload_latencies = sorted(t.latency_s for o in outcomes for t in o.turns if t.kind == "upload")
    upload_cpu = sorted(t.cpu_s for o in outcomes for t in o.turns if t.kind == "upload" and t.cpu_s is not None)

    def pct(values: list[float], q: float) -> float | None:
        return round(values[min(len(values) - 1, int(q * len(values)))], 3) if values else None

    matrix = Counter((",".join(o.expected_decision) or "any", o.decision) for o in outcomes)
    by_tag: dict[str, dict[str, int]] = {}
    passed_ids = set(result.passed_ids())
    for dialogue_id in result.dialogue_ids():
        tags = next(o.tags for o in outcomes if o.id == dialogue_id)
        for tag in tags or ["untagged"]:
            entry = by_tag.setdefault(tag, {"passed": 0, "failed": 0})
            entry["passed" if dialogue_id in passed_ids else "failed"] += 1
    use = ModelUse()
    for outcome in outcomes:
        if outcome.model_use is not None:
            use = use.add(outcome.model_use)
    return {
        "dialogues": len(result.dialogue_ids()),
        "trials": result.trials,
        "passed": result.passed,
        "failed": result.failed,
        "pass_rate": round(result.passed / max(1, len(result.dialogue_ids())), 4),
        "pass_hat_k": {f"pass^{result.trials}": round(result.passed / max(1, len(result.dialogue_ids())), 4)},
        "turn_latency_s": {"p50": pct(latencies, 0.5), "p95": pct(latencies, 0.95), "max": latencies[-1] if latencies else None},
        "upload_latency_s": {"p50": pct(upload_latencies, 0.5), "p95": pct(upload_latencies, 0.95)},
        "upload_cpu_s": {"p50": pct(upload_cpu, 0.5), "p95": pct(upload_cpu, 0.95)},
        "outcome_matrix": [{"expected": e, "actual": a, "count": c} for (e, a), c in sorted(matrix.items())],
        "by_tag": by_tag,
        "failures": [{"id": o.id, "trial": o.trial, "failure": o.failure} for o in outcomes if not o.passed],
        "model_use": use.model_dump(),
    }


def write_report(result: SuiteResult, directory: Path) -> dict:
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    summary = summarise(result)
    (directory / "eval-summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    (directory / "eval-transcripts.json").write_text(
        json.dumps([o.model_dump() for o in result.outcomes], ensure_ascii=False, indent=2), encoding="utf-8")
    (directory / "eval.html").write_text(render_html(summary, result), encoding="utf-8")
    return summary


def _transcript_html(outcome) -> str:
    rows = [f"<div class='bot'>{html.escape(line)}</div>" for line in outcome.greeting]
    for turn in outcome.turns:
        rows.append(f"<div class='user'><b>{html.escape(turn.kind)}</b>: {html.escape(turn.input)}</div>")
        rows += [f"<div class='bot'>{html.escape(reply)}</div>" for reply in turn.replies]
        rows.append(f"<div class='meta'>nodes: {', '.join(turn.nodes_run) or '-'} · decision: {turn.decision} · "
                    f"increase: {turn.increase} · {turn.latency_s:.2f}s</div>")
    return "\n".join(rows)


def _plots(summary: dict, result: SuiteResult) -> str:
    """Turn-latency histogram and outcome matrix as embedded PNGs (the page stays one self-contained file)."""
    from credlift.evals.bench.report import _png, plot_outcome_matrix, plt

    latencies = [t.latency_s for o in result.outcomes for t in o.turns if t.kind != "staff"]
    uploads = [t.latency_s for o in result.outcomes for t in o.turns if t.kind == "upload"]
    figure, axis = plt.subplots(figsize=(6, 3.2))
    if latencies:
        axis.hist([latencies, uploads] if uploads else [latencies], bins=20,
                  label=["all turns", "uploads"] if uploads else ["all turns"])
        axis.legend()
    axis.set(title="assistant turn latency", xlabel="seconds", ylabel="turns")
    parts = [_png(figure)]
    if summary["outcome_matrix"]:
        parts.append(plot_outcome_matrix(summary["outcome_matrix"]))
    return "".join(parts)


def render_html(summary: dict, result: SuiteResult) -> str:
    from credlift.evals.bench.report import num

    matrix_rows = "".join(f"<tr><td>{html.escape(r['expected'])}</td><td>{r['actual']}</td><td>{r['count']}</td></tr>"
                          for r in summary["outcome_matrix"])
    tag_rows = "".join(f"<tr><td>{html.escape(t)}</td><td>{v['passed']}</td><td>{v['failed']}</td></tr>"
                       for t, v in sorted(summary["by_tag"].items()))
    failures = "".join(
        f"<details open><summary>{html.escape(o.id)} (trial {o.trial}): {html.escape(o.failure or '')}</summary>"
        f"{_transcript_html(o)}</details>" for o in result.outcomes if not o.passed)
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>credlift eval</title>
<style>body{{font-family:system-ui,sans-serif;max-width:1000px;margin:2em auto;color:#222}}
table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:4px 8px}}
.user{{background:#eef;margin:4px 0;padding:4px}}.bot{{background:#f6f6f6;margin:4px 0 4px 2em;padding:4px}}
.meta{{color:#777;font-size:90%;margin-left:2em}}</style></head><body>
<h1>credlift dialogue evaluation</h1>
<p id="totals"><b>{summary['passed']} passed, {summary['failed']} failed</b> of {summary['dialogues']} dialogues,
{summary['trials']} trial(s) each (pass^{summary['trials']} = {summary['pass_rate']:.2%}).</p>
<p>Dialogues {num(summary, 'dialogues')}, passed {num(summary, 'passed')}, failed {num(summary, 'failed')},
pass rate {num(summary, 'pass_rate')}.
Turn latency p50 {num(summary, 'turn_latency_s.p50')} s, p95 {num(summary, 'turn_latency_s.p95')} s,
max {num(summary, 'turn_latency_s.max')} s; uploads p50 {num(summary, 'upload_latency_s.p50')} s,
p95 {num(summary, 'upload_latency_s.p95')} s; CPU per upload (in-process replay) p50
{num(summary, 'upload_cpu_s.p50')} s, p95 {num(summary, 'upload_cpu_s.p95')} s.</p>
<p id="model-use">{html.escape(summary_line(ModelUse(**summary['model_use'])))}</p>
{_plots(summary, result)}
<h2>Outcome matrix</h2><table><tr><th>expected</th><th>actual</th><th>dialogues</th></tr>{matrix_rows}</table>
<h2>By tag</h2><table><tr><th>tag</th><th>passed</th><th>failed</th></tr>{tag_rows}</table>
<h2>Failures</h2>{failures or '<p>none</p>'}
</body></html>"""
