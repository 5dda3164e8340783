"""Writes the study as Markdown and HTML with PNG plots (matplotlib, Agg backend: no display needed)."""
from __future__ import annotations

import html
from pathlib import Path

import numpy as np
import pandas as pd

from credlift.tools.risk.features import book_features


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _plot_default_rates(report, path: Path) -> None:
    plt = _plt()
    rows = [r for r in report.credentials if r.credential_level != "all" or r.credential_type == "none"]
    labels = [f"{r.credential_type}:{r.credential_level}" for r in rows]
    rates = np.array([r.default_rate for r in rows]) * 100
    low = rates - np.array([r.ci_low for r in rows]) * 100
    high = np.array([r.ci_high for r in rows]) * 100 - rates
    fig, ax = plt.subplots(figsize=(8, 0.28 * len(rows) + 1.5))
    ax.errorbar(rates, np.arange(len(rows)), xerr=[low, high], fmt="o", color="#1f5fa8", ecolor="#8aa9cf", capsize=2)
    ax.axvline(report.default_rate * 100, color="#b03a2e", linestyle="--", label=f"book {report.default_rate:.1%}")
    ax.set_yticks(np.arange(len(rows)), labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("12-month default rate, % (95% Wilson interval)")
    ax.set_title("Default rate by credential type and level")
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _plot_adjusted(report, path: Path) -> None:
    plt = _plt()
    effects = report.adjusted_effects
    labels = [f"{e.credential_type}:{e.credential_level}" for e in effects]
    values = np.array([e.log_odds for e in effects])
    fig, ax = plt.subplots(figsize=(8, 0.28 * len(effects) + 1.5))
    ax.errorbar(values, np.arange(len(effects)),
                xerr=[values - [e.ci_low for e in effects], np.array([e.ci_high for e in effects]) - values],
                fmt="s", color="#1e8449", ecolor="#a9dfbf", capsize=2)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(np.arange(len(effects)), labels, fontsize=8)
    ax.invert_yaxis()
    reference = effects[0].reference if effects else "none"
    against = "no credential" if reference == "none" else reference
    ax.set_xlabel(f"adjusted log-odds of default vs {against} (95% CI); left = lower risk")
    ax.set_title("Credential effects after controlling for the traditional features")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _plot_roc_ks(y: np.ndarray, pd_: np.ndarray, metrics, path: Path) -> None:
    from sklearn.metrics import roc_curve

    plt = _plt()
    fpr, tpr, _ = roc_curve(y, pd_)
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    left.plot(fpr, tpr, color="#1f5fa8", label=f"AUC {metrics.auc:.3f}")
    left.plot([0, 1], [0, 1], color="grey", linestyle=":")
    left.set_xlabel("false positive rate")
    left.set_ylabel("true positive rate")
    left.set_title("ROC, out of time")
    left.legend(loc="lower right")
    order = np.argsort(-pd_)
    share = np.arange(1, len(y) + 1) / len(y)
    bads = np.cumsum(y[order]) / max(y.sum(), 1)
    goods = np.cumsum(1 - y[order]) / max((1 - y).sum(), 1)
    right.plot(share, bads, label="defaults captured", color="#b03a2e")
    right.plot(share, goods, label="non-defaults captured", color="#1e8449")
    right.set_xlabel("share of applicants, riskiest first")
    right.set_title(f"KS {metrics.ks:.3f}")
    right.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _plot_calibration(metrics, path: Path) -> None:
    plt = _plt()
    deciles = [c.decile for c in metrics.calibration]
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.bar(np.array(deciles) - 0.2, [c.mean_predicted * 100 for c in metrics.calibration], width=0.4,
           label="mean predicted PD", color="#8aa9cf")
    ax.bar(np.array(deciles) + 0.2, [c.observed_rate * 100 for c in metrics.calibration], width=0.4,
           label="observed default rate", color="#1f5fa8")
    ax.set_xticks(deciles)
    ax.set_xlabel("decile of predicted PD")
    ax.set_ylabel("%")
    ax.set_title(f"Calibration out of time (max error {metrics.max_calibration_error * 100:.2f} pp)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _plot_score_shift(points_train: np.ndarray, points_test: np.ndarray, metrics, path: Path) -> None:
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7, 4))
    bins = np.linspace(min(points_train.min(), points_test.min()), max(points_train.max(), points_test.max()), 40)
    ax.hist(points_train, bins=bins, density=True, alpha=0.5, label=f"train {metrics.train_period}")
    ax.hist(points_test, bins=bins, density=True, alpha=0.5, label=f"test {metrics.test_period}")
    ax.set_xlabel("score points")
    ax.set_title(f"Score distribution by period (PSI {metrics.psi_score:.3f})")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _plot_inclusion(inclusion, path: Path) -> None:
    plt = _plt()
    outcomes = [inclusion.traditional, inclusion.credential_same_cutoff, inclusion.credential_matched_risk]
    fig, ax = plt.subplots(figsize=(8, 3.8))
    bars = ax.bar(range(3), [o.approved for o in outcomes], color=["#8aa9cf", "#1f5fa8", "#1e8449"])
    for bar, outcome in zip(bars, outcomes):
        ax.text(bar.get_x() + bar.get_width() / 2, bar.get_height(),
                f"{outcome.approved}\nexp. {outcome.expected_default_rate:.1%} / obs. {outcome.observed_default_rate:.1%}",
                ha="center", va="bottom", fontsize=8)
    ax.set_xticks(range(3), ["traditional only", "credential-aware\nsame cutoff", "credential-aware\nmatched risk"])
    ax.set_ylabel(f"{inclusion.population.split(' (')[0]} approved")
    title = ("thin-file applicants (out of time)" if inclusion.population == "thin-file applicants"
             else inclusion.population)
    ax.set_title(f"Inclusion: {inclusion.thin_file_applicants} {title}", fontsize=10)
    ax.margins(y=0.25)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _fmt_ratio(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def _markdown(report, plot_names: list[str]) -> str:
    from credlift.tools.policy_parameters import load_policy_parameters
    from credlift.tools.risk.evidence import evidence_from_study, evidence_share

    rule = load_policy_parameters().evidence
    evidence = evidence_from_study(report, report.book_path)
    b = report.backtest
    inc = report.inclusion
    lines = [
        "# Credential study",
        "",
        f"Loan book `{report.book_path}`: {report.rows:,} applications, {report.period}, "
        f"12-month default rate {report.default_rate:.2%}, thin-file share {report.thin_file_share:.1%}.",
        "",
        "## Summary",
        "",
        f"- Out-of-time backtest ({b.train_period} train, {b.test_period} test): AUC **{b.auc:.3f}**, "
        f"KS **{b.ks:.3f}**, worst decile calibration error **{b.max_calibration_error * 100:.2f} pp**, "
        f"score PSI {b.psi_score:.3f}.",
        f"- Inclusion: on {inc.thin_file_applicants:,} thin-file applicants, the credential-aware policy approves "
        f"**{inc.credential_matched_risk.approved:,}** at an expected default rate of "
        f"{inc.credential_matched_risk.expected_default_rate:.2%} vs **{inc.traditional.approved:,}** at "
        f"{inc.traditional.expected_default_rate:.2%} for the traditional-only policy "
        f"(**{inc.uplift_matched_risk:+.0%}**); at the same PD cutoff: {inc.credential_same_cutoff.approved:,} "
        f"({inc.uplift_same_cutoff:+.0%}) at {inc.credential_same_cutoff.expected_default_rate:.2%}.",
        "",
        "## Credentials: default rates, lift, WoE and IV",
        "",
        "Lift = the group's default rate divided by the reference (below 1: fewer defaults). Thin-file peers = "
        "thin-file applicants without any credential. WoE = ln(share of non-defaults / share of defaults): "
        "positive means lower risk. IV on the 'all' rows is the type's information value over its levels.",
        "",
        "| type | level | holders | default rate | 95% CI | lift vs book | thin-file holders | lift vs thin peers | WoE | IV |",
        "| --- | --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in report.credentials:
        lines.append(f"| {r.credential_type} | {r.credential_level} | {r.holders:,} | {r.default_rate:.2%} | "
                     f"{r.ci_low:.2%} – {r.ci_high:.2%} | {r.lift_population:.2f} | {r.thin_file_holders:,} | "
                     f"{_fmt_ratio(r.lift_thin_peers)} | {r.woe:+.3f} | {r.iv:.4f} |")
    lines += [
        "",
        f"![default rates]({plot_names[0]})" if plot_names else "",
        "",
        "## Adjusted effects",
        "",
        "Logistic regression of default on each credential (type and level; recent and older than the recency "
        "line as separate terms) with utilisation (per file depth), delinquencies (capped at 3), log tenure, "
        "income band and file depth as controls. Raw default rates credit a credential with what comes with it "
        "(higher incomes, for instance); these estimates do not.",
        "",
        "What the policy makes of them (tools/risk/evidence.py, numbers in knowledge/policy/parameters.yaml): a "
        f"level studied on fewer than {rule.min_holders:,} holders earns nothing; otherwise the conservative end of "
        "its interval (the upper bound, nearest to no effect) sets the share of its table increase it earns: "
        f"nothing at 0 or above, all of it at -{rule.full_credit_log_odds:.2f} or below, in proportion between; a "
        "higher level earns at least what the level below it earns. The last column is that share on this book's "
        "evidence.",
        "",
        "| type | level | holders | adjusted log-odds | 95% CI | odds ratio | older credentials | policy share |",
        "| --- | --- | ---: | ---: | --- | ---: | ---: | ---: |",
    ]
    for e in report.adjusted_effects:
        old = "n/a" if e.old_log_odds is None else f"{e.old_log_odds:+.2f}"
        share = evidence_share(e.credential_type, e.credential_level, evidence, rule)
        pooled = "" if share.pooled_from is None else f" (from {share.pooled_from})"
        lines.append(f"| {e.credential_type} | {e.credential_level} | {e.holders:,} | {e.log_odds:+.2f} | "
                     f"{e.ci_low:+.2f} – {e.ci_high:+.2f} | {np.exp(e.log_odds):.2f} | {old} | "
                     f"{share.percent}%{pooled} |")
    lines += ["", f"![adjusted effects]({plot_names[1]})" if len(plot_names) > 1 else "", "",
              "## Out-of-time backtest", "",
              f"Scorecard fitted on {b.train_rows:,} applications ({b.train_period}, default rate "
              f"{b.train_default_rate:.2%}), tested on {b.test_rows:,} later ones ({b.test_period}, default rate "
              f"{b.test_default_rate:.2%}).", "",
              "| decile | applicants | mean predicted PD | observed | error (pp) |", "| ---: | ---: | ---: | ---: | ---: |"]
    for c in b.calibration:
        lines.append(f"| {c.decile} | {c.count:,} | {c.mean_predicted:.2%} | {c.observed_rate:.2%} | "
                     f"{(c.mean_predicted - c.observed_rate) * 100:+.2f} |")
    lines += ["", "PSI between the periods (below 0.1: stable; 0.1–0.25: watch; above: investigate):", "",
              "| variable | PSI |", "| --- | ---: |", f"| score | {b.psi_score:.4f} |"]
    lines += [f"| {k} | {v:.4f} |" for k, v in b.psi_features.items()]
    lines += [""] + [f"![{name}]({name})" for name in plot_names[2:5]]
    lines += ["", "## Inclusion", "",
              "Both policies apply the same financial-health rules (no recent delinquency, utilisation under the "
              "cap) to the out-of-time thin-file applicants. Expected default rate = mean PD of the approved under "
              "the credential-aware model; observed = their realised default rate.", "",
              "| policy | approved | approval rate | PD cutoff | expected default rate | observed default rate |",
              "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for o in (inc.traditional, inc.credential_same_cutoff, inc.credential_matched_risk):
        lines.append(f"| {o.name} | {o.approved:,} | {o.approval_rate:.1%} | {o.pd_cutoff:.3f} | "
                     f"{o.expected_default_rate:.2%} | {o.observed_default_rate:.2%} |")
    if len(plot_names) > 5:
        lines += ["", f"![inclusion]({plot_names[5]})"]
    return "\n".join(lines) + "\n"


def _html(markdown_text: str, title: str) -> str:
    """A small Markdown subset (headings, lists, tables, images, bold, code) to standalone HTML."""
    import re

    def inline(text: str) -> str:
        text = html.escape(text)
        text = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", text)
        return re.sub(r"`(.+?)`", r"<code>\1</code>", text)

    out, table, in_list = [], [], False
    for line in markdown_text.splitlines() + [""]:
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            if not all(set(c) <= set("-: ") for c in cells):
                table.append(cells)
            continue
        if table:
            head, *body = table
            out.append("<table><thead><tr>" + "".join(f"<th>{inline(c)}</th>" for c in head) + "</tr></thead><tbody>"
                       + "".join("<tr>" + "".join(f"<td>{inline(c)}</td>" for c in row) + "</tr>" for row in body)
                       + "</tbody></table>")
            table = []
        if in_list and not line.startswith("- "):
            out.append("</ul>")
            in_list = False
        if line.startswith("#"):
            level = len(line) - len(line.lstrip("#"))
            out.append(f"<h{level}>{inline(line[level:].strip())}</h{level}>")
        elif line.startswith("!["):
            match = re.match(r"!\[(.*?)\]\((.*?)\)", line)
            if match:
                out.append(f'<p><img src="{html.escape(match.group(2))}" alt="{html.escape(match.group(1))}"></p>')
        elif line.startswith("- "):
            if not in_list:
                out.append("<ul>")
                in_list = True
            out.append(f"<li>{inline(line[2:])}</li>")
        elif line.strip():
            out.append(f"<p>{inline(line)}</p>")
    style = ("body{font-family:system-ui,'Noto Sans CJK SC',sans-serif;max-width:1100px;margin:2em auto;color:#222}"
             "table{border-collapse:collapse;font-size:13px;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px}"
             "td{text-align:right}td:first-child,td:nth-child(2){text-align:left}th{background:#f0f3f7}img{max-width:100%}")
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{style}</style></head><body>\n" + "\n".join(out) + "\n</body></html>\n")


def write_report(report, model, train: pd.DataFrame, test: pd.DataFrame, out_dir: Path, plots: bool = True):
    """Writes report.md, report.html, study.json and the PNGs; returns the report with their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    names: list[str] = []
    if plots:
        x_test = book_features(test)
        y_test = test["default_12m"].to_numpy(int)
        pd_test = model.predict_proba(x_test)[:, 1]
        names = ["default_rates.png", "adjusted_effects.png", "roc_ks.png", "calibration.png", "score_psi.png",
                 "inclusion.png"]
        _plot_default_rates(report, out_dir / names[0])
        _plot_adjusted(report, out_dir / names[1])
        _plot_roc_ks(y_test, pd_test, report.backtest, out_dir / names[2])
        _plot_calibration(report.backtest, out_dir / names[3])
        _plot_score_shift(model.points(book_features(train)), model.points(x_test), report.backtest,
                          out_dir / names[4])
        _plot_inclusion(report.inclusion, out_dir / names[5])
    markdown_text = _markdown(report, names)
    (out_dir / "report.md").write_text(markdown_text, encoding="utf-8")
    (out_dir / "report.html").write_text(_html(markdown_text, "credlift credential study"), encoding="utf-8")
    (out_dir / "study.json").write_text(report.model_dump_json(indent=2), encoding="utf-8")
    return report.model_copy(update={"report_markdown": str(out_dir / "report.md"),
                                     "report_html": str(out_dir / "report.html"),
                                     "plots": [str(out_dir / n) for n in names]})


def _plot_fairness(report, path: Path) -> None:
    plt = _plt()
    rows = report.fairness
    labels = [f"{r.attribute}: {r.group} ({r.applicants})" for r in rows]
    fig, ax = plt.subplots(figsize=(8, 0.32 * len(rows) + 1.6))
    index = np.arange(len(rows))
    ax.barh(index - 0.2, [r.approval_rate_traditional * 100 for r in rows], height=0.4, color="#8aa9cf",
            label="traditional only")
    ax.barh(index + 0.2, [r.approval_rate_credential * 100 for r in rows], height=0.4, color="#1e8449",
            label="credential-aware (matched risk)")
    ax.set_yticks(index, labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("approval rate, %")
    ax.set_title("Approval rate by protected attribute (never a model input)")
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _mapped_markdown(report, plot_names: list[str]) -> str:
    b, inc = report.backtest, report.inclusion
    name, reference = report.credential_name, report.reference_level
    by_level = {r.credential_level: r for r in report.credentials}
    overall = by_level.get("all")
    lines = [
        f"# Credential study: {name}",
        "",
        f"Loan book `{report.book_path}` read through the column map `{report.column_map}`: {report.rows:,} "
        f"applications ({report.period}), default rate {report.default_rate:.2%}"
        + (f", thin-file share {report.thin_file_share:.1%}" if report.thin_file_share is not None else "") + ".",
        f"Credential: **{name}**, effects against **{reference}**. Controls (the traditional features): "
        f"{', '.join(report.controls) or 'none'}. Protected attributes (reported, never a model input): "
        f"{', '.join(report.protected) or 'none'}.",
        "",
        "## Caveats",
        "",
    ]
    lines += [f"- {c}" for c in report.caveats] or ["- none"]
    lines += [
        "",
        "## Default rate by level",
        "",
        f"Raw log-odds against {reference} with a Woolf 95% interval; lift = the level's default rate / the "
        "book's; WoE = ln(share of non-defaults / share of defaults), positive = lower risk"
        + (f"; the credential's IV over its levels is **{overall.iv:.4f}**." if overall else "."),
        "",
        f"| level | holders | defaults | default rate | 95% CI | log-odds vs {reference} | 95% CI | lift | WoE | IV |",
        "| --- | ---: | ---: | ---: | --- | ---: | --- | ---: | ---: | ---: |",
    ]
    for r in report.credentials:
        if r.credential_level == "all":
            continue
        lor = "reference" if r.credential_level == reference else f"{r.log_odds_vs_reference:+.2f}"
        lor_ci = "" if r.lor_ci_low is None else f"{r.lor_ci_low:+.2f} – {r.lor_ci_high:+.2f}"
        lines.append(f"| {r.credential_level} | {r.holders:,} | {r.defaults:,} | {r.default_rate:.2%} | "
                     f"{r.ci_low:.2%} – {r.ci_high:.2%} | {lor} | {lor_ci} | {r.lift_population:.2f} | "
                     f"{r.woe:+.3f} | {r.iv:.4f} |")
    if overall:
        lines.append(f"| all | {overall.holders:,} | {overall.defaults:,} | {overall.default_rate:.2%} | "
                     f"{overall.ci_low:.2%} – {overall.ci_high:.2%} |  |  | 1.00 |  | {overall.iv:.4f} |")
    lines += ["", f"![default rates]({plot_names[0]})" if plot_names else "", "",
              "## Adjusted effects", "",
              f"Logistic regression of default on the level (against {reference}) with the controls "
              "(numbers standardised, categories as indicators); protected attributes are not in it.", "",
              f"| level | holders | adjusted log-odds vs {reference} | 95% CI | odds ratio |",
              "| --- | ---: | ---: | --- | ---: |"]
    for e in report.adjusted_effects:
        lines.append(f"| {e.credential_level} | {e.holders:,} | {e.log_odds:+.2f} | {e.ci_low:+.2f} – "
                     f"{e.ci_high:+.2f} | {np.exp(e.log_odds):.2f} |")
    lines += ["", f"![adjusted effects]({plot_names[1]})" if len(plot_names) > 1 else "", "",
              "## Backtest", "",
              f"Scorecard (monotone WoE bins + logistic regression) on the controls and the credential, "
              f"validated by {report.validation}: AUC **{b.auc:.3f}**, KS **{b.ks:.3f}**, worst decile "
              f"calibration error **{b.max_calibration_error * 100:.2f} pp**, score PSI {b.psi_score:.3f}; "
              f"{b.test_rows:,} held-out applications, default rate {b.test_default_rate:.2%}.", "",
              "| decile | applicants | mean predicted PD | observed | error (pp) |", "| ---: | ---: | ---: | ---: | ---: |"]
    for c in b.calibration:
        lines.append(f"| {c.decile} | {c.count:,} | {c.mean_predicted:.2%} | {c.observed_rate:.2%} | "
                     f"{(c.mean_predicted - c.observed_rate) * 100:+.2f} |")
    lines += [""] + [f"![{n}]({n})" for n in plot_names[2:4]]
    lines += ["", "## Inclusion", "",
              f"On {inc.thin_file_applicants:,} {inc.population}: the credential-aware policy approves "
              f"**{inc.credential_matched_risk.approved:,}** at an expected default rate of "
              f"{inc.credential_matched_risk.expected_default_rate:.2%} (observed "
              f"{inc.credential_matched_risk.observed_default_rate:.2%}) against **{inc.traditional.approved:,}** at "
              f"{inc.traditional.expected_default_rate:.2%} (observed {inc.traditional.observed_default_rate:.2%}) "
              f"for the traditional-only policy: **{inc.uplift_matched_risk:+.1%}**. Expected = mean PD of the "
              "approved under the credential-aware scorecard; observed = their realised default rate.", "",
              "| policy | approved | approval rate | PD cutoff | expected default rate | observed default rate |",
              "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for o in (inc.traditional, inc.credential_same_cutoff, inc.credential_matched_risk):
        lines.append(f"| {o.name} | {o.approved:,} | {o.approval_rate:.1%} | {o.pd_cutoff:.3f} | "
                     f"{o.expected_default_rate:.2%} | {o.observed_default_rate:.2%} |")
    if len(plot_names) > 4:
        lines += ["", f"![inclusion]({plot_names[4]})"]
    lines += ["", "## Fairness", "",
              "Approval rates of both policies and the realised default rate by each protected attribute, on the "
              "same applicants as the inclusion comparison. AIR (adverse-impact ratio) = the group's approval "
              "rate / the highest approval rate among groups of at least 30; below 0.80 (the four-fifths rule) is "
              "flagged. Groups under 30 applicants are marked small: their rates are too uncertain to judge.", ""]
    if report.fairness:
        lines += ["| attribute | group | applicants | default rate | 95% CI | approved, traditional | AIR | "
                  "approved, credential-aware | AIR | flag |", "| --- | --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | --- |"]
        for r in report.fairness:
            flag = "AIR < 0.80" if r.flagged else ("small group" if r.small_group else "")
            lines.append(f"| {r.attribute} | {r.group} | {r.applicants:,} | {r.default_rate:.2%} | "
                         f"{r.default_ci_low:.2%} – {r.default_ci_high:.2%} | {r.approval_rate_traditional:.1%} | "
                         f"{_fmt_ratio(r.air_traditional)} | {r.approval_rate_credential:.1%} | {_fmt_ratio(r.air_credential)} | "
                         f"{flag} |")
        if len(plot_names) > 5:
            lines += ["", f"![fairness]({plot_names[5]})"]
    else:
        lines.append("No protected attribute is mapped.")
    return "\n".join(lines) + "\n"


def write_mapped_report(report, y_test: np.ndarray, pd_test: np.ndarray, out_dir: Path, plots: bool = True):
    """A mapped book's report.md, report.html, study.json and PNGs; returns the report with their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    names: list[str] = []
    if plots:
        names = ["default_rates.png", "adjusted_effects.png", "roc_ks.png", "calibration.png", "inclusion.png"]
        _plot_default_rates(report, out_dir / names[0])
        _plot_adjusted(report, out_dir / names[1])
        _plot_roc_ks(y_test, pd_test, report.backtest, out_dir / names[2])
        _plot_calibration(report.backtest, out_dir / names[3])
        _plot_inclusion(report.inclusion, out_dir / names[4])
        if report.fairness:
            names.append("fairness.png")
            _plot_fairness(report, out_dir / names[5])
    markdown_text = _mapped_markdown(report, names)
    (out_dir / "report.md").write_text(markdown_text, encoding="utf-8")
    (out_dir / "report.html").write_text(_html(markdown_text, f"credlift credential study: {report.credential_name}"),
                                         encoding="utf-8")
    (out_dir / "study.json").write_text(report.model_dump_json(indent=2), encoding="utf-8")
    return report.model_copy(update={"report_markdown": str(out_dir / "report.md"),
                                     "report_html": str(out_dir / "report.html"),
                                     "plots": [str(out_dir / n) for n in names]})
