"""The benchmark report: `bench-summary.json` and ONE self-contained `bench.html` (plots as base64 PNGs).

Every number on the page is read from the very dict written as JSON and carries its path in `data-key`, so a test
(or a reader) can check that the page and the JSON agree. When `eval-summary.json` from `credlift eval` lies in
the same folder, the page also shows the dialogue suite's outcome matrix.
"""
from __future__ import annotations

import base64
import html
import io
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)


def lookup(summary: dict, key: str):
    """The value at a dotted path ('latency.total_s.p95'); list items by index."""
    value = summary
    for part in key.split("."):
        value = value[int(part)] if isinstance(value, list) else value[part]
    return value


def fmt(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) < 1000 else f"{value:.1f}"
    return str(value)


def num(summary: dict, key: str) -> str:
    return f'<span data-key="{html.escape(key)}">{html.escape(fmt(lookup(summary, key)))}</span>'


def _png(figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    plt.close(figure)
    return f'<img alt="plot" src="data:image/png;base64,{base64.b64encode(buffer.getvalue()).decode()}">'


def plot_latency(summary: dict) -> str:
    latency = summary["latency"]
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 3.6))
    left.hist(latency["totals_s"], bins=min(20, max(3, len(latency["totals_s"]))), color="#4a7ab5")
    left.axvline(summary["targets"]["time_to_decision_p95_s"]["target"], color="#c0392b", linestyle="--", label="target p95")
    left.set(title="time to decision (phone photos)", xlabel="seconds", ylabel="uploads")
    left.legend()
    stages = list(latency["stages_s"])
    p50 = [latency["stages_s"][s]["p50"] or 0 for s in stages]
    p95 = [latency["stages_s"][s]["p95"] or 0 for s in stages]
    positions = range(len(stages))
    right.barh([p - 0.2 for p in positions], p50, height=0.4, label="p50", color="#4a7ab5")
    right.barh([p + 0.2 for p in positions], p95, height=0.4, label="p95", color="#e59866")
    right.set_yticks(list(positions), stages)
    right.invert_yaxis()
    right.set(title="per stage", xlabel="seconds")
    right.legend()
    return _png(figure)


def plot_throughput(summary: dict) -> str:
    runs = summary["throughput"]
    figure, axis = plt.subplots(figsize=(5, 3.2))
    workers = sorted(runs, key=int)
    axis.bar([f"{w} worker(s)" for w in workers], [runs[w]["applications_per_minute"] for w in workers], color="#4a7ab5")
    axis.axhline(summary["targets"]["applications_per_minute_2_workers"]["target"], color="#c0392b", linestyle="--")
    axis.set(title="throughput", ylabel="applications / minute")
    return _png(figure)


def plot_time_budget(summary: dict) -> str:
    """Where the time goes: CPU per stage beside the OCR floor, CPU per authenticity check, and worker scaling."""
    latency, figures = summary["latency"], summary["figures"]
    figure, (stages_axis, checks_axis, scaling_axis) = plt.subplots(1, 3, figsize=(13, 3.8))
    stages = list(latency.get("stages_cpu_s", {}))
    stages_axis.barh(stages, [latency["stages_cpu_s"][s]["p50"] or 0 for s in stages], color="#4a7ab5", label="CPU p50")
    stages_axis.barh(stages, [latency["stages_s"].get(s, {}).get("p50") or 0 for s in stages], color="none",
                     edgecolor="#e59866", label="wall p50")
    if figures.get("ocr_floor_cpu_p50_s"):
        stages_axis.axvline(figures["ocr_floor_cpu_p50_s"], color="#c0392b", linestyle="--", label="OCR floor (CPU)")
    stages_axis.invert_yaxis()
    stages_axis.set(title="per stage", xlabel="seconds")
    stages_axis.legend(fontsize=8)
    checks = list(latency.get("checks_cpu_ms", {}))
    checks_axis.barh(checks, [latency["checks_cpu_ms"][c]["mean"] or 0 for c in checks], color="#4a7ab5")
    checks_axis.invert_yaxis()
    checks_axis.set(title="per authenticity check (CPU mean)", xlabel="milliseconds")
    speedup = summary.get("scaling", {}).get("speedup", {})
    workers = sorted(speedup, key=int)
    scaling_axis.plot([int(w) for w in workers], [speedup[w] or 0 for w in workers], marker="o", label="measured")
    scaling_axis.plot([int(w) for w in workers], [int(w) for w in workers], color="#999", linestyle=":", label="ideal")
    scaling_axis.set(title="throughput vs 1 worker", xlabel="workers", ylabel="speed-up")
    scaling_axis.legend(fontsize=8)
    return _png(figure)


def time_budget_section(s: dict) -> str:
    """Per-stage and per-check CPU and wall time, the OCR floor, scaling 1..N workers, the slowest stage's profile."""
    latency = s["latency"]
    stages = _table(s, ["stage", "CPU p50 s", "CPU p95 s", "CPU mean s", "wall p50 s", "wall p95 s"],
                    [(st, [f"latency.stages_cpu_s.{st}.p50", f"latency.stages_cpu_s.{st}.p95",
                           f"latency.stages_cpu_s.{st}.mean", f"latency.stages_s.{st}.p50", f"latency.stages_s.{st}.p95"])
                     for st in latency.get("stages_cpu_s", {}) if st in latency["stages_s"]])
    checks = _table(s, ["check", "runs", "CPU p50 ms", "CPU mean ms", "CPU p95 ms", "wall p50 ms", "wall p95 ms"],
                    [(c, [f"latency.checks_cpu_ms.{c}.n", f"latency.checks_cpu_ms.{c}.p50", f"latency.checks_cpu_ms.{c}.mean",
                          f"latency.checks_cpu_ms.{c}.p95", f"latency.checks_wall_ms.{c}.p50",
                          f"latency.checks_wall_ms.{c}.p95"]) for c in latency.get("checks_cpu_ms", {})])
    skipped = ", ".join(f"{html.escape(name)} ({num(s, f'latency.checks_skipped.{name}')})"
                        for name in latency.get("checks_skipped", {})) or "none"
    scaling = _table(s, ["workers", "applications / min", "speed-up", "efficiency", "CPU s / application",
                         "waiting for a core", "blocked", "peak RSS MiB"],
                     [(w, [f"throughput.{w}.applications_per_minute", f"scaling.speedup.{w}", f"scaling.efficiency.{w}",
                           f"throughput.{w}.cpu_s_per_application", f"throughput.{w}.cpu_wait_share",
                           f"throughput.{w}.blocked_share", f"throughput.{w}.peak_rss_mb"])
                      for w in sorted(s.get("scaling", {}).get("speedup", {}), key=int)])
    profile = s.get("profile") or {}
    rows = "".join(
        f"<tr><td style='text-align:left'>{html.escape(row['function'])}</td><td>{num(s, f'profile.rows.{i}.calls')}</td>"
        f"<td>{num(s, f'profile.rows.{i}.own_cpu_s')}</td><td>{num(s, f'profile.rows.{i}.cumulative_cpu_s')}</td></tr>"
        for i, row in enumerate(profile.get("rows", [])))
    profile_part = (f"<h3>Profile of the slowest stage: {num(s, 'profile.stage')}</h3><p>cProfile on the CPU clock, the stage "
                    f"alone on {num(s, 'profile.images')} image(s): {num(s, 'profile.cpu_s')} CPU s in all.</p>"
                    f"<table><tr><th>function</th><th>calls</th><th>own CPU s</th><th>cumulative CPU s</th></tr>{rows}</table>"
                    if profile else "")
    return f"""<h2>Where the time goes</h2>{plot_time_budget(s)}
<p>The floor: RapidOCR reads a page in {num(s, 'figures.ocr_floor_p50_s')} s p50 ({num(s, 'figures.ocr_floor_cpu_p50_s')} CPU s)
in this run. Time to decision p50 is {num(s, 'figures.time_to_decision_p50_over_ocr_p50')}x that; CPU per application p50
{num(s, 'figures.cpu_s_per_application_p50')} s (p95 {num(s, 'figures.cpu_s_per_application_p95')} s) is
{num(s, 'figures.cpu_p50_over_ocr_cpu_p50')}x the OCR's CPU. CPU seconds and these ratios hold whatever the machine's
load (1-minute load average {num(s, 'environment.load_average_1m_at_start')} at the start,
{num(s, 'environment.load_average_1m_at_end')} at the end); wall times do not.</p>
<h3>Per stage (CPU and wall)</h3>{stages}
<h3>Per authenticity check</h3><p>Checks the cascade skipped (could not change the verdict), uploads: {skipped}.</p>{checks}
<h3>Scaling, 1..N workers</h3><p>Efficiency = applications per minute / (workers x one worker's). Of the workers'
busy time, the share their threads were runnable but waited for a core (other work on the machine, or more threads
than cores) and the share they were blocked (I/O, locks, sleeps); the rest is their own CPU time.</p>{scaling}
<p>Each worker above sizes its threads from the cores it shares, so one worker alone already runs its page read and
image checks side by side on every core. Whether workers get in each other's way: one worker on the threads each of
the {num(s, 'scaling.same_threads.workers')} has ({num(s, 'scaling.same_threads.threads_per_worker')}):
{num(s, 'scaling.same_threads.one_worker.applications_per_minute')} applications/min; the
{num(s, 'scaling.same_threads.workers')} workers do {num(s, 'scaling.same_threads.speedup')}x that (ideal:
{num(s, 'scaling.same_threads.workers')}).</p>
{profile_part}"""


def plot_roc(summary: dict) -> str:
    figure, axis = plt.subplots(figsize=(4.6, 4.2))
    for curve in summary["authenticity"]["roc"]:
        if curve["fpr"]:
            axis.plot(curve["fpr"], curve["tpr"], label=f"{curve['detector']} (AUC {fmt(curve['auc'])})")
    axis.plot([0, 1], [0, 1], color="#999", linestyle=":")
    axis.set(title="authenticity ROC", xlabel="false positive rate", ylabel="true positive rate")
    axis.legend(loc="lower right")
    return _png(figure)


def plot_fields(summary: dict) -> str:
    engines = list(summary["reading"])
    fields = sorted({f for e in engines for f in summary["reading"][e]["field_accuracy"]})
    figure, axis = plt.subplots(figsize=(11, 3.6))
    width = 0.8 / max(1, len(engines))
    for i, engine in enumerate(engines):
        values = [summary["reading"][engine]["field_accuracy"].get(f, 0.0) for f in fields]
        axis.bar([x + i * width for x in range(len(fields))], values, width=width, label=engine)
    axis.set_xticks([x + width * (len(engines) - 1) / 2 for x in range(len(fields))], fields, rotation=30, ha="right")
    axis.set(title="per-field exact-match accuracy", ylim=(0, 1.05))
    axis.legend()
    return _png(figure)


def plot_retrieval(summary: dict) -> str:
    modes = summary["retrieval"]["modes"]
    figure, axis = plt.subplots(figsize=(5.5, 3.2))
    names = list(modes)
    for i, metric in enumerate(("recall_at_1", "recall_at_3", "mrr")):
        axis.bar([x + i * 0.27 for x in range(len(names))], [modes[m][metric] for m in names], width=0.27, label=metric)
    axis.set_xticks([x + 0.27 for x in range(len(names))], names)
    axis.set(title="retrieval of policy clauses", ylim=(0, 1.05))
    axis.legend()
    return _png(figure)


def plot_outcome_matrix(matrix: list[dict]) -> str:
    expected = sorted({row["expected"] for row in matrix})
    actual = sorted({row["actual"] for row in matrix})
    grid = [[sum(r["count"] for r in matrix if r["expected"] == e and r["actual"] == a) for a in actual] for e in expected]
    figure, axis = plt.subplots(figsize=(1.5 + 1.1 * len(actual), 1.2 + 0.5 * len(expected)))
    axis.imshow(grid, cmap="Blues")
    for i, row in enumerate(grid):
        for j, count in enumerate(row):
            axis.text(j, i, str(count), ha="center", va="center")
    axis.set_xticks(range(len(actual)), actual)
    axis.set_yticks(range(len(expected)), expected)
    axis.set(title="dialogue outcomes", xlabel="actual decision", ylabel="expected")
    return _png(figure)


def _table(summary: dict, header: list[str], rows: list[tuple[str, list[str]]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join(f"<tr><td>{html.escape(label)}</td>" + "".join(f"<td>{num(summary, key)}</td>" for key in keys) + "</tr>"
                   for label, keys in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def scale_section(s: dict) -> str:
    """Issue 27: the analysis on Ray against in-process, 1 and 2 replicas, and the cores for 1,000 uploads a minute."""
    if not s.get("scale"):
        return "<h2>Scale: the analysis on Ray</h2><p>Not measured in this run (--sizes scale=0).</p>"
    paths = _table(s, ["path", "uploads", "wall s / upload", "CPU s / upload"],
                   [(name, [f"scale.{key}.uploads", f"scale.{key}.wall_s_per_upload", f"scale.{key}.cpu_s_per_upload"])
                    for name, key in (("in-process", "in_process"), ("Ray, 1 replica", "on_ray"))])
    runs = _table(s, ["Ray replicas", "uploads", "wall s", "uploads / min", "CPU s / upload", "replica CPU s / upload",
                      "model loading s (once)"],
                  [(r, [f"scale.runs.{r}.uploads", f"scale.runs.{r}.wall_s", f"scale.runs.{r}.uploads_per_minute",
                        f"scale.runs.{r}.cpu_s_per_upload", f"scale.runs.{r}.replica_cpu_s_per_upload",
                        f"scale.runs.{r}.replica_load_s"]) for r in sorted(s["scale"]["runs"], key=int)])
    e = "scale.estimate"
    return f"""<h2>Scale: the analysis on Ray</h2>
<p>The per-upload analysis (read, authenticate, validate) in this process and on Ray replicas (a local Ray instance of
{num(s, 'scale.cpus')} CPUs on 127.0.0.1; models loaded once per replica, the upload read from the shared store by
content hash). One upload at a time, alternately in-process and on one replica: the Ray path costs
{num(s, 'scale.overhead_cpu')} more CPU per upload (this process's CPU plus the replica's; target at most 0.1) and
{num(s, 'scale.overhead_wall')} more wall time (which moves with the machine's load).</p>{paths}{runs}
<p>2 replicas: {num(s, 'scale.speedup_2_replicas')}x the uploads per minute of one.</p>
<h3>Cores for {num(s, f'{e}.uploads_per_minute')} uploads a minute (worked estimate)</h3>
<p>{num(s, f'{e}.uploads_per_minute')} / 60 uploads a second x {num(s, f'{e}.worker_cpu_s_per_upload')} CPU s per
upload in the replicas = {num(s, f'{e}.busy_worker_cores')} busy cores; run at {num(s, f'{e}.utilisation')}
utilisation: <b>{num(s, f'{e}.worker_cores')} cores of analysis workers</b>. The app processes' own share of an
application (a whole application's CPU in this run minus its analysis, plus the Ray client's work):
{num(s, f'{e}.app_cpu_s_per_application')} CPU s, so {num(s, f'{e}.app_cores')} cores of app processes at the same
utilisation; {num(s, f'{e}.total_cores')} cores in all. This assumes CPU per upload stays as measured as the cluster
grows (the replicas share nothing but the upload store, the reuse index and the database).</p>"""


def render_html(summary: dict, eval_summary: dict | None = None) -> str:
    s = summary
    targets = _table(s, ["target", "goal", "measured", "met"],
                     [(k, [f"targets.{k}.target", f"targets.{k}.measured", f"targets.{k}.met"]) for k in s["targets"]])
    stages = _table(s, ["stage", "n", "p50 s", "p95 s", "max s"],
                    [("total (upload to decision)", ["latency.total_s.n", "latency.total_s.p50", "latency.total_s.p95", "latency.total_s.max"]),
                     ("CPU time per upload", ["latency.cpu_s.n", "latency.cpu_s.p50", "latency.cpu_s.p95", "latency.cpu_s.max"])]
                    + [(st, [f"latency.stages_s.{st}.n", f"latency.stages_s.{st}.p50", f"latency.stages_s.{st}.p95",
                             f"latency.stages_s.{st}.max"]) for st in s["latency"]["stages_s"]])
    throughput = _table(s, ["workers", "applications", "wall s", "applications / min", "peak RSS MiB"],
                        [(w, [f"throughput.{w}.applications", f"throughput.{w}.wall_s",
                              f"throughput.{w}.applications_per_minute", f"throughput.{w}.peak_rss_mb"]) for w in s["throughput"]])
    readers = _table(s, ["engine", "images", "type accuracy", "all fields", "p50 s", "p95 s"],
                     [(e, [f"reading.{e}.images", f"reading.{e}.type_accuracy", f"reading.{e}.all_fields_accuracy",
                           f"reading.{e}.seconds.p50", f"reading.{e}.seconds.p95"]) for e in s["reading"]])
    fields = sorted({f for e in s["reading"] for f in s["reading"][e]["field_accuracy"]})
    field_table = _table(s, ["field", *s["reading"]],
                         [(f, [f"reading.{e}.field_accuracy.{f}" for e in s["reading"]])
                          for f in fields if all(f in s["reading"][e]["field_accuracy"] for e in s["reading"])])
    auth = _table(s, ["detector", "ROC-AUC", "false positive rate", "recall", "threshold"],
                  [("fused", ["authenticity.fused.roc_auc", "authenticity.fused.false_positive_rate",
                              "authenticity.fused.recall", "authenticity.fused.threshold"]),
                   ("plain ELA", ["authenticity.plain_ela.roc_auc", "authenticity.plain_ela.false_positive_rate",
                                  "authenticity.plain_ela.recall", "authenticity.plain_ela.threshold"])])
    kinds = sorted(s["authenticity"]["fused"].get("recall_by_kind", {}))
    kind_table = _table(s, ["tamper kind", "fused recall", "plain ELA recall"],
                        [(k, [f"authenticity.fused.recall_by_kind.{k}", f"authenticity.plain_ela.recall_by_kind.{k}"])
                         for k in kinds if k in s["authenticity"]["plain_ela"].get("recall_by_kind", {})])
    retrieval = _table(s, ["mode", "recall@1", "recall@3", "MRR", "ms / query"],
                       [(m, [f"retrieval.modes.{m}.recall_at_1", f"retrieval.modes.{m}.recall_at_3",
                             f"retrieval.modes.{m}.mrr", f"retrieval.modes.{m}.mean_latency_ms"]) for m in s["retrieval"]["modes"]])
    decisions = _table(s, ["decisions", "p50 ms", "p95 ms", "max ms"],
                       [("policy engine", ["decisions.n", "decisions.p50_ms", "decisions.p95_ms", "decisions.max_ms"])])
    environment = ", ".join(f"{k}: {num(s, f'environment.{k}')}" for k in s["environment"])
    promise = (f"<p>The page header promises applicants a decision within {num(s, 'promise.header_s')} s; "
               f"time to decision p95 {num(s, 'promise.p95_s')} s: kept {num(s, 'promise.kept')}.</p>"
               if "promise" in s else "")
    eval_part = ""
    if eval_summary:
        e = eval_summary
        rows = "".join(f"<tr><td>{html.escape(r['expected'])}</td><td>{html.escape(r['actual'])}</td><td>{r['count']}</td></tr>"
                       for r in e.get("outcome_matrix", []))
        eval_part = (f"<h2>Dialogue suite (credlift eval)</h2><p id='eval-totals'>{e['passed']} passed, {e['failed']} failed "
                     f"of {e['dialogues']} dialogues (pass^{e['trials']} = {e['pass_rate']:.2%}).</p>"
                     + (plot_outcome_matrix(e["outcome_matrix"]) if e.get("outcome_matrix") else "")
                     + f"<table><tr><th>expected</th><th>actual</th><th>dialogues</th></tr>{rows}</table>")
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>credlift benchmarks</title>
<style>body{{font-family:system-ui,sans-serif;max-width:1150px;margin:2em auto;color:#222}}
table{{border-collapse:collapse;margin:0.5em 0 1em}}td,th{{border:1px solid #ccc;padding:3px 8px;text-align:right}}
td:first-child,th:first-child{{text-align:left}}img{{max-width:100%}}</style></head><body>
<h1>credlift benchmarks</h1>
<p>Generated {html.escape(s['generated_at'])} in {num(s, 'duration_s')} s. {environment}.</p>
<h2>Targets</h2>{targets}{promise}
<h2>Time to decision (phone photo, upload to result)</h2>{plot_latency(s)}
<p>Each stage runs from the progress line the service emits as its node starts to the next one. OCR runs once,
inside <i>authenticate</i>; <i>extract</i> reuses its lines.</p>{stages}
{time_budget_section(s)}
<h2>Throughput and memory</h2>{plot_throughput(s)}{throughput}
<p>CPU per application (mean) {num(s, 'figures.cpu_s_per_application_mean')} s: two idle cores could decide about
{num(s, 'figures.cpu_bound_applications_per_minute_2_cores')} applications per minute. Wall-clock figures above depend
on the machine's load (1-minute load average at the start: {num(s, 'environment.load_average_1m_at_start')}).</p>
{scale_section(s)}
<h2>Reading: RapidOCR vs Tesseract (chi_sim), same parsers</h2>{readers}{plot_fields(s)}{field_table}
<h2>Authenticity: fused detector vs plain ELA</h2>
<p>Fused detector: {html.escape(str(s["authenticity"]["fused"].get("model_version", "")))}. {num(s, "authenticity.images")} images, {num(s, "authenticity.manipulated")} forged; plain ELA gets the threshold that
gives it the fused detector's false-positive rate. Each page is read by OCR first, as the app does, so the content
check runs. Time per image, one process: every signal p50 {num(s, "authenticity.seconds_per_image.p50")} s
(p95 {num(s, "authenticity.seconds_per_image.p95")} s); reading the page p50
{num(s, "authenticity.ocr_seconds_per_image.p50")} s, a reading extraction shares in the app.</p>{plot_roc(s)}{auth}{kind_table}
<h2>Retrieval: keyword vs hybrid vs dense</h2>{plot_retrieval(s)}{retrieval}
<h2>Policy engine</h2>{decisions}
{eval_part}
</body></html>"""


def write_bench_report(summary: dict, directory: Path) -> Path:
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "bench-summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    eval_path = directory / "eval-summary.json"
    eval_summary = json.loads(eval_path.read_text(encoding="utf-8")) if eval_path.is_file() else None
    page = directory / "bench.html"
    page.write_text(render_html(summary, eval_summary), encoding="utf-8")
    return page
