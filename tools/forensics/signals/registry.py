"""The signals an upload goes through, in order. Adding a signal is one module plus one line here."""
from __future__ import annotations

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
from credlift.tools.forensics.signals.seal_ink import SealInkSignal
from credlift.tools.forensics.signals.trace import TraceNetSignal

# Signals whose findings are about the pixels and metadata of this one image (inputs of the fusion model). The
# others weigh in after the model: consistency (what the page says, read by OCR), name_style (how the name
# OCR found is printed), photo_margin (the paper around the ID photo) and seal_ink (seal ink cut off at a character's
# edge) as decisive evidence, reuse (other uploads) in the verdict.
IMAGE_SIGNALS = ("metadata", "ela", "compression", "noise", "copy_move", "document", "ai_generation", "local",
                 "grid", "trace")


def default_signals(include_reuse: bool = True) -> list[ForensicSignal]:
    signals: list[ForensicSignal] = [MetadataSignal(), ErrorLevelSignal(), CompressionSignal(), NoiseSignal(),
                                     CopyMoveSignal(), DocumentSignal(), AiGenerationSignal(),
                                     LocalInconsistencySignal(), GridCellSignal(), TraceNetSignal(), ConsistencySignal(),
                                     NameStyleSignal(), PhotoMarginSignal(), SealInkSignal()]
    if include_reuse:
        signals.append(ReuseSignal())
    return signals
