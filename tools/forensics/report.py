"""Verdict logic: from the fused probability and the signals to an AuthenticityReport."""
from __future__ import annotations

from credlift.domain.authenticity import AuthenticityReport, SignalReport

# Above this AI-generation score, and when it is the strongest image signal, the verdict names AI generation.
AI_DOMINANCE = 0.7
REUSE_FLAG = 0.5


def decide_verdict(probability: float, signals: list[SignalReport], threshold: float,
                   tampered_threshold: float, model_version: str) -> AuthenticityReport:
    """authentic below the shipped threshold; above it ai_generated when AI cues dominate, else tampered or
    suspicious by probability band. Reuse of a document seen under another account is at least suspicious."""
    by_name = {s.name: s for s in signals}
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
    elif probability >= tampered_threshold:
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


def unreadable_report(reason: str, model_version: str) -> AuthenticityReport:
    """The image cannot be analysed (blank, tiny, undecodable): say so in a sentence, claim nothing."""
    return AuthenticityReport(verdict="unreadable", score=0.0, reason=reason, model_version=model_version)
