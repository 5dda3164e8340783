"""Verdict logic: from the fused probability and the signals to an AuthenticityReport."""
from __future__ import annotations

from credlift.domain.authenticity import AuthenticityReport, SignalReport
from credlift.tools.forensics.domain import Domain

# Above this AI-generation score, and when it is the strongest image signal, the verdict names AI generation.
AI_DOMINANCE = 0.7
REUSE_FLAG = 0.5
# outside the detectors' domain their scores carry no information (on the real development set's 24 quality-matched
# pairs the fused probability reads ROC-AUC 0.49), so the reported score is the share of edited images among
# out-of-domain pages of that set's dev split (8 of the first 49 analysed; 13 of all 98): a calibrated "we cannot
# tell", never an accusation
UNDETERMINED_SCORE = 0.16
# evidence that holds whatever the page or capture: an editor or generator named in the file's own metadata
DOMAIN_FREE = {"metadata": 0.85}
# the edit-trace map localises an edit when what it flags is a region, not the page: at most this share of its
# blocks over 0.5 and a page-wide mean probability at most this (generated honest pages: mean 0.004-0.12; real
# captures the network never saw: 0.05-0.28 on the real development set, flagged areas up to 25% of the page)
LOCALISED_AREA, LOCALISED_MEAN = 0.05, 0.15
# an app's page (Domain.screen) has no paper, print or seal: the detectors fitted to those fire on its flat colours
# and identical glyphs (generated honest rider pages: copy_move, document and trace at 1.0). It is judged by how its
# numbers are rendered (screen_render), by its metadata and by reuse, and never earns more than a screenshot may
# (CAP-WEAK).
SCREEN_CHECKS = ("screen_render", "metadata", "reuse")


def localised(signals: list[SignalReport]) -> bool:
    """Decisive evidence (fusion.DECISIVE at its cut) or an edit-trace map that points at a region: what a
    `tampered` verdict needs beyond a high fused probability."""
    from credlift.tools.forensics.fusion import DECISIVE

    if any(s.name in DECISIVE and s.score >= DECISIVE[s.name] for s in signals):
        return True
    trace = next((s for s in signals if s.name == "trace"), None)
    if trace is None or trace.score < 0.5 or not trace.details.get("mapped", False):
        return False
    blocks = float(trace.details.get("blocks", 0) or 0)
    area = float(trace.details.get("area", 0) or 0)
    mean = float(trace.details.get("mean_prob", 1.0) or 0.0)
    return blocks > 0 and area / blocks <= LOCALISED_AREA and mean <= LOCALISED_MEAN


def decide_verdict(probability: float, signals: list[SignalReport], threshold: float,
                   tampered_threshold: float, model_version: str, domain: Domain | None = None) -> AuthenticityReport:
    """authentic below the shipped threshold; above it ai_generated when AI cues dominate, else tampered or
    suspicious by probability band (`tampered` only with decisive or localised evidence, see `localised`). Reuse of a document seen under another account is at least suspicious.
    Outside the detectors' domain (`domain.in_domain` false: a page that is no credential layout we know, or a
    capture they were not calibrated for) the verdict is `undetermined` with a reason a person understands and a
    score capped below the threshold, unless evidence that holds anywhere (DOMAIN_FREE) is there."""
    by_name = {s.name: s for s in signals}
    if domain is not None and domain.screen and domain.in_domain:
        return _screen_verdict(signals, threshold, model_version)
    if domain is not None and not domain.in_domain:
        if not any(s.name in DOMAIN_FREE and s.score >= DOMAIN_FREE[s.name] for s in signals):
            return _undetermined(probability, signals, threshold, model_version, domain)
        # an editor named in the metadata says the file went through an editor, not what changed: on a page the
        # pixel checks cannot judge that is a question for a person, never an accusation (on the real development
        # set the untouched files so named were saved by GIMP or a phone's own software, not forged)
        report = decide_verdict(probability, signals, threshold, tampered_threshold, model_version)
        if report.verdict == "tampered":
            report.verdict, report.reason = "suspicious", domain.reason()
        return report
    image_signals = [s for s in signals if s.name != "reuse"]
    drivers = [s.name for s in sorted(image_signals, key=lambda s: -s.score) if s.score >= 0.5]
    ai = by_name.get("ai_generation")
    strongest_other = max((s.score for s in image_signals if s.name not in ("ai_generation", "metadata")), default=0.0)
    score = probability
    if probability < threshold:
        verdict = "authentic"
        drivers = []  # below the threshold nothing drove a verdict; weak signals stay visible in `signals`
    elif ai is not None and ai.score >= AI_DOMINANCE and ai.score >= strongest_other:
        verdict = "ai_generated"
        drivers = ["ai_generation"] + [d for d in drivers if d != "ai_generation"]
    elif probability >= tampered_threshold and localised(signals):
        verdict = "tampered"
    else:
        verdict = "suspicious"
    reuse = by_name.get("reuse")
    if reuse is not None and reuse.score >= REUSE_FLAG:
        drivers = ["reuse"] + drivers
        if verdict == "authentic":
            verdict = "suspicious"
            score = max(score, threshold)
    if verdict != "authentic" and not drivers:
        drivers = [max(image_signals, key=lambda s: s.score).name] if image_signals else []
    return AuthenticityReport(verdict=verdict, score=float(min(max(score, 0.0), 1.0)), signals=signals,
                              drivers=drivers, model_version=model_version)


def _screen_verdict(signals: list[SignalReport], threshold: float, model_version: str) -> AuthenticityReport:
    """An app's screenshot: tampered when its rendering shows an edit (decisive), suspicious when an editor is named
    in its metadata or it was seen under another account, else authentic; the score is the screen check's, on the
    fused scale (below the cut under the threshold)."""
    from credlift.tools.forensics.fusion import DECISIVE
    from credlift.tools.forensics.signals.base import BELOW_CUT

    by_name = {s.name: s for s in signals if s.name in SCREEN_CHECKS}
    render, metadata, reuse = (by_name.get(name) for name in SCREEN_CHECKS)
    render_score = render.score if render is not None else 0.0
    if render is not None and render_score >= DECISIVE.get("screen_render", 1.0):
        verdict, score, drivers = "tampered", render_score, ["screen_render"]
    elif metadata is not None and metadata.score >= DOMAIN_FREE["metadata"]:
        verdict, score, drivers = "suspicious", max(threshold, metadata.score * 0.9), ["metadata"]
    elif reuse is not None and reuse.score >= REUSE_FLAG:
        verdict, score, drivers = "suspicious", threshold, ["reuse"]
    else:
        verdict, score, drivers = "authentic", 0.95 * threshold * min(render_score, BELOW_CUT) / BELOW_CUT, []
    return AuthenticityReport(verdict=verdict, score=float(min(max(score, 0.0), 1.0)), signals=signals,
                              drivers=drivers, model_version=model_version)


def _undetermined(probability: float, signals: list[SignalReport], threshold: float, model_version: str,
                  domain: Domain) -> AuthenticityReport:
    reuse = next((s for s in signals if s.name == "reuse" and s.score >= REUSE_FLAG), None)
    if reuse is not None:  # a document seen under another account needs no calibration to be questioned
        return AuthenticityReport(verdict="suspicious", score=float(min(max(probability, threshold), 1.0)),
                                  signals=signals, drivers=["reuse"], reason=domain.reason(),
                                  model_version=model_version)
    return AuthenticityReport(verdict="undetermined", score=UNDETERMINED_SCORE, signals=signals, drivers=[],
                              reason=domain.reason(), model_version=model_version)


def unreadable_report(reason: str, model_version: str) -> AuthenticityReport:
    """The image cannot be analysed (blank, tiny, undecodable): say so in a sentence, claim nothing."""
    return AuthenticityReport(verdict="unreadable", score=0.0, reason=reason, model_version=model_version)
