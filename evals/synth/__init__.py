"""Synthetic credential images with ground truth: CET reports, graduation and degree certificates,
vocational skill certificates, competition awards and an accounting qualification; scanned, photographed
or screenshotted; optionally forged (copy-move, splice, retype, erase, metadata, AI-generated).

    from credlift.evals.synth import SynthSpec, render_credential, generate_dataset
"""
from credlift.evals.synth.generate import SynthSample, SynthSpec, generate_dataset, plan_dataset, render_credential
from credlift.evals.synth.templates import TEMPLATES, SynthSpecError

__all__ = ["SynthSample", "SynthSpec", "SynthSpecError", "TEMPLATES", "generate_dataset", "plan_dataset",
           "render_credential"]
