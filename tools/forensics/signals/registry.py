"""The signals an upload goes through, in order, and the tables derived from what each declares (`role`,
signals/base.SignalRole). Adding a signal is one module plus one line in `SIGNAL_CLASSES` (or `register_signal`).

Derived here, live (`register_signal` updates them in place): IMAGE_SIGNALS (inputs of the fusion model),
FEATURE_SPEC (their features, in the trained order), FEATURE_RANGES (the values each can take), DEFERRED (costly
checks the cascade runs last, where they can change the verdict), EARLY (checks of the file alone, which may run
while the page is being read: tools/forensics/early.py), DECISIVE (decisive evidence and its cut), LOCALISERS (maps
on the staff heatmap), CALIBRATED (decisive checks whose cut is set on the training sets, and by what), FALLBACK
(the untrained noisy-OR's signals).
"""
from __future__ import annotations

import importlib
import math

from credlift.tools.forensics.signals.ai_generation import AiGenerationSignal
from credlift.tools.forensics.signals.base import ForensicSignal
from credlift.tools.forensics.signals.compression import CompressionSignal
from credlift.tools.forensics.signals.consistency import ConsistencySignal
from credlift.tools.forensics.signals.copy_move import CopyMoveSignal
from credlift.tools.forensics.signals.document import DocumentSignal
from credlift.tools.forensics.signals.ela import ErrorLevelSignal
from credlift.tools.forensics.signals.grid import GridCellSignal
from credlift.tools.forensics.signals.local import LocalInconsistencySignal
from credlift.tools.forensics.signals.metadata import MetadataSignal
from credlift.tools.forensics.signals.name_style import NameStyleSignal
from credlift.tools.forensics.signals.noise import NoiseSignal
from credlift.tools.forensics.signals.photo_margin import PhotoMarginSignal
from credlift.tools.forensics.signals.reuse import ReuseSignal
from credlift.tools.forensics.signals.screen_render import ScreenRenderSignal
from credlift.tools.forensics.signals.seal_ink import SealInkSignal
from credlift.tools.forensics.signals.trace import TraceNetSignal

# Image signals first (their order is the fusion model's feature order), then the page checks weighed after the
# model: consistency (what the page says, read by OCR), name_style (how the name OCR found is printed),
# photo_margin (the paper around the ID photo) and seal_ink (seal ink cut off at a character's edge) as decisive
# evidence, screen_render (how an app screenshot's numbers are rendered) as decisive evidence on app pages, and reuse
# (other uploads) in the verdict.
SIGNAL_CLASSES: list[type] = [MetadataSignal, ErrorLevelSignal, CompressionSignal, NoiseSignal, CopyMoveSignal,
                              DocumentSignal, AiGenerationSignal, LocalInconsistencySignal, GridCellSignal,
                              TraceNetSignal, ConsistencySignal, NameStyleSignal, PhotoMarginSignal, SealInkSignal,
                              ScreenRenderSignal, ReuseSignal]

IMAGE_SIGNALS: list[str] = []
FEATURE_SPEC: list[tuple[str, str]] = []
FEATURE_RANGES: dict[tuple[str, str], tuple[float, float]] = {}
DEFERRED: list[str] = []
EARLY: list[str] = []
DECISIVE: dict[str, float] = {}
LOCALISERS: list[str] = []
CALIBRATED: dict[str, str] = {}
FALLBACK: list[str] = []


def _derive() -> None:
    roles = [(cls.name, cls.role) for cls in SIGNAL_CLASSES]
    IMAGE_SIGNALS[:] = [name for name, role in roles if role.features]
    FEATURE_SPEC[:] = [(name, key) for name, role in roles for key in role.features]
    FEATURE_RANGES.clear()
    for name, role in roles:
        for index, key in enumerate(role.features):
            declared = role.feature_ranges[index] if index < len(role.feature_ranges) else None
            FEATURE_RANGES[(name, key)] = declared or ((0.0, 1.0) if key == "score" else (-math.inf, math.inf))
    DEFERRED[:] = [name for name, role in roles if role.deferred and role.features]
    EARLY[:] = [name for name, role in roles if not role.reads_text and not role.deferred]
    DECISIVE.clear()
    DECISIVE.update({name: role.decisive_at for name, role in roles if role.decisive_at is not None})
    LOCALISERS[:] = [name for name, role in roles if role.localiser]
    CALIBRATED.clear()
    CALIBRATED.update({name: role.calibrator for name, role in roles if role.calibrator})
    FALLBACK[:] = [name for name, role in roles if role.fallback]


def register_signal(cls: type, before: str | None = None) -> type:
    """Adds a signal class (before the signal named `before`, else at the end) and re-derives the tables."""
    position = next((i for i, other in enumerate(SIGNAL_CLASSES) if other.name == before), len(SIGNAL_CLASSES))
    SIGNAL_CLASSES.insert(position, cls)
    _derive()
    return cls


def unregister_signal(name: str) -> None:
    SIGNAL_CLASSES[:] = [cls for cls in SIGNAL_CLASSES if cls.name != name]
    _derive()


def calibrator(name: str):
    """The function that sets a calibrated check's cut (imported on use: calibrations read the training sets)."""
    module, _, function = CALIBRATED[name].partition(":")
    return getattr(importlib.import_module(module), function)


def default_signals(include_reuse: bool = True) -> list[ForensicSignal]:
    return [cls() for cls in SIGNAL_CLASSES if include_reuse or not cls.role.in_verdict]


_derive()
