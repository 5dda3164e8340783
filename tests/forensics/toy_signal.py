"""A forensic signal that exists only in the tests: it declares its role and nothing else is edited."""
from __future__ import annotations

import numpy as np

from credlift.domain.authenticity import SignalReport
from credlift.tools.forensics.signals.base import SignalRole


class StickerSignal:
    """Flags a page whose top-left corner is pure magenta (a sticker), and marks the corner."""
    name = "sticker"
    role = SignalRole(decisive_at=0.85, localiser=True)

    def analyse(self, ctx) -> SignalReport:
        corner = ctx.rgb[:20, :20].reshape(-1, 3)
        found = bool(np.all(corner == (255, 0, 255)))
        heat = np.zeros(ctx.shape, np.float32)
        heat[:20, :20] = 1.0 if found else 0.0
        ctx.record_heatmap(self.name, heat)
        return SignalReport(name=self.name, score=0.9 if found else 0.0, summary="a sticker" if found else "")
