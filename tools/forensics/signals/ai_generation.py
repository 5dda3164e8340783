"""AI-generation cues: periodic spectral peaks left by upsampling layers, missing sensor/paper noise, and the
generator metadata the metadata signal found. A learned detector can plug in later behind the same shape.
"""
from __future__ import annotations

import cv2
import numpy as np

from credlift.domain.authenticity import SignalReport
from credlift.tools.forensics.context import AnalysisContext
from credlift.tools.forensics.signals.base import SignalRole  # what this signal is to fusion and the map
from credlift.tools.forensics.signals.base import squash
from credlift.tools.forensics.signals.metadata import read_metadata_findings

TILE = 256
MAX_TILES = 12


def upsampling_spectrum(gray: np.ndarray, residual: np.ndarray | None = None) -> tuple[float, float]:
    """(peak ratio at the periodic frequencies of 2x/4x upsampling, high/mid frequency energy ratio).

    Averaged over tiles of the high-pass residual (Welch), so text content averages out and periodic
    interpolation traces add up.
    """
    if residual is None:  # else the same high-pass, shared with other signals (AnalysisContext.highpass_gauss1)
        g = gray.astype(np.float32)
        residual = g - cv2.GaussianBlur(g, (0, 0), 1.0)
    h, w = residual.shape
    if h < TILE or w < TILE:
        return 0.0, 0.0
    ys = np.linspace(0, h - TILE, num=min(4, max(1, h // TILE))).astype(int)
    xs = np.linspace(0, w - TILE, num=min(4, max(1, w // TILE))).astype(int)
    window = np.outer(np.hanning(TILE), np.hanning(TILE)).astype(np.float32)
    power = np.zeros((TILE, TILE), np.float64)
    tiles = 0
    for y in ys:
        for x in xs:
            tile = residual[y:y + TILE, x:x + TILE]
            if tile.std() < 0.5:
                continue
            power += np.abs(np.fft.fft2((tile - tile.mean()) * window)) ** 2
            tiles += 1
            if tiles >= MAX_TILES:
                break
    if tiles == 0:
        return 0.0, 0.0
    log_power = np.log(np.fft.fftshift(power / tiles) + 1e-6)
    c = TILE // 2
    # stride-2 transposed convolutions leave peaks at 1/2 and 1/4 cycles per pixel (period 2 and 4)
    peaks = []
    padded = np.pad(log_power, 8, mode="wrap")
    for fy, fx in ((0, c), (c, 0), (c, c), (0, c // 2), (c // 2, 0), (c // 2, c // 2)):
        py, px = (c + fy) % TILE + 8, (c + fx) % TILE + 8
        point = padded[py - 1:py + 2, px - 1:px + 2].max()
        ring = padded[py - 7:py + 8, px - 7:px + 8]
        peaks.append(float(point - np.median(ring)))
    radius = np.hypot(*np.meshgrid(np.arange(TILE) - c, np.arange(TILE) - c))
    high = float(np.mean(log_power[(radius > 0.7 * c) & (radius < c)]))
    mid = float(np.mean(log_power[(radius > 0.25 * c) & (radius < 0.45 * c)]))
    return max(peaks), high - mid


class AiGenerationSignal:
    name = "ai_generation"
    role = SignalRole(features=("score", "spectral_peak", "hf_falloff"), decisive_at=0.9, fallback=True)

    def analyse(self, ctx: AnalysisContext) -> SignalReport:
        findings = read_metadata_findings(ctx)
        gray = ctx.work_gray
        peak, falloff = upsampling_spectrum(gray, ctx.highpass_gauss1(gray))
        spectral = squash(peak, 6.0, 0.8)  # honest scans and screenshots reach ~4; generator checkerboards ~10
        if findings.generator or findings.c2pa_ai:
            score = 0.98
            summary = f"Generator metadata: {findings.generator}."
        else:
            score = spectral
            summary = ("Periodic spectral peaks typical of generative upsampling." if spectral > 0.5
                       else "No spectral traces of generative upsampling.")
        return SignalReport(name=self.name, score=float(score), summary=summary,
                            details={"spectral_peak": round(peak, 4), "hf_falloff": round(falloff, 4),
                                     "metadata_generator": bool(findings.generator or findings.c2pa_ai)})
