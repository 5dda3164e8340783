"""What every forensic signal looks at: the decoded image in a few views, computed once and shared."""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from PIL import Image

from credlift.domain.credential import OcrLine

# Signals that do not need full resolution work on a copy whose long side is at most this.
WORK_LONG_SIDE = 1600
# Above this many pixels the original JPEG is not re-decoded for grid-aligned analysis (cost bound).
GRID_MAX_PIXELS = 16_000_000


@dataclass
class JpegFacts:
    """Quantisation facts read from a JPEG file (None for other formats)."""
    quality: float
    luma_table: np.ndarray
    table_count: int


@dataclass
class AnalysisContext:
    """One upload under analysis. Views are computed lazily; heatmaps are collected per signal name."""
    upload: Any  # credlift.tools.intake.UploadedImage (duck-typed so tests can pass a light stand-in)
    ocr_lines: list[OcrLine] | None = None
    certificate_number: str | None = None
    account_id: str | None = None
    data_dir: Path | None = None
    heatmaps: dict[str, np.ndarray] = field(default_factory=dict)
    memo: dict[str, Any] = field(default_factory=dict)  # findings one signal computes and another reuses
    # per-image derivations (grey, Lab, YCrCb, JPEG re-saves, filters) keyed by kind and the image they came from
    derived: dict[tuple, tuple[np.ndarray, Any]] = field(default_factory=dict, repr=False)

    # ---- image views -------------------------------------------------------------------------------
    @property
    def rgb(self) -> np.ndarray:
        return self.upload.rgb

    @property
    def shape(self) -> tuple[int, int]:
        return self.rgb.shape[0], self.rgb.shape[1]

    @cached_property
    def gray(self) -> np.ndarray:
        return cv2.cvtColor(self.rgb, cv2.COLOR_RGB2GRAY)

    @cached_property
    def work_scale(self) -> float:
        long_side = max(self.shape)
        return min(1.0, WORK_LONG_SIDE / float(long_side))

    @cached_property
    def work_rgb(self) -> np.ndarray:
        scale = self.work_scale
        if scale >= 1.0:
            return self.rgb
        h, w = self.shape
        return cv2.resize(self.rgb, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)

    @cached_property
    def work_gray(self) -> np.ndarray:
        if self.work_rgb is self.rgb:  # no resize: the same grey, computed once
            return self.gray
        return cv2.cvtColor(self.work_rgb, cv2.COLOR_RGB2GRAY)

    @cached_property
    def work_lab(self) -> np.ndarray:
        """The work copy in CIELAB (OpenCV's 8-bit scaling: a* and b* offset by 128)."""
        return cv2.cvtColor(self.work_rgb, cv2.COLOR_RGB2LAB)

    @cached_property
    def jpeg(self) -> JpegFacts | None:
        """Quality estimated from the luminance quantisation table (IJG scaling), when the file is a JPEG."""
        if str(getattr(self.upload, "format", "")).upper() not in ("JPEG", "MPO"):
            return None
        try:
            with Image.open(io.BytesIO(self.upload.original_bytes)) as image:
                tables = getattr(image, "quantization", None) or {}
        except Exception:  # a file intake accepted but PIL cannot re-open: treat as not a JPEG
            return None
        if not tables:
            return None
        luma = np.asarray(tables.get(0, next(iter(tables.values()))), dtype=np.float64).reshape(-1)
        return JpegFacts(quality=estimate_jpeg_quality(luma), luma_table=luma, table_count=len(tables))

    @cached_property
    def grid_rgb(self) -> tuple[np.ndarray, bool]:
        """The image on its original 8x8 JPEG grid (no resize, no rotation) and whether that grid is intact.

        Compression signals need the block grid the file was saved on; intake may have rotated or resized.
        """
        upload = self.upload
        scale = float(getattr(upload, "scale", 1.0) or 1.0)
        if self.jpeg is None:
            return self.rgb, False
        w, h = getattr(upload, "original_size", (self.shape[1], self.shape[0]))
        if scale >= 0.999 and (w, h) == (self.shape[1], self.shape[0]) and _orientation(upload) in (0, 1):
            return self.rgb, True
        if w * h > GRID_MAX_PIXELS:
            return self.rgb, False
        decoded = cv2.imdecode(np.frombuffer(upload.original_bytes, np.uint8),
                               cv2.IMREAD_COLOR | cv2.IMREAD_IGNORE_ORIENTATION)
        if decoded is None:
            return self.rgb, False
        return cv2.cvtColor(decoded, cv2.COLOR_BGR2RGB), True

    # ---- derivations shared by the signals --------------------------------------------------------------
    # Every signal reads one of three images (`rgb`, `work_rgb`, `grid_rgb`; on most uploads they are one array).
    # What several signals derive from the same image is computed once here and handed out read-only: the same
    # call on the same array, so each signal's figures are bit for bit what it computed on its own.

    def per_image(self, kind: str, image: np.ndarray, compute) -> Any:
        """`compute(image)` once per (kind, image) for this upload (the image itself is the key: an array held
        by the context, compared by identity)."""
        key = (kind, id(image))
        entry = self.derived.get(key)
        if entry is None or entry[0] is not image:
            entry = self.derived[key] = (image, compute(image))
        return entry[1]

    def gray_of(self, rgb: np.ndarray) -> np.ndarray:
        """cv2 RGB->GRAY of one of the context's images (the cached `gray`/`work_gray` when it is one of those)."""
        if rgb is self.rgb:
            return self.gray
        if rgb is self.work_rgb:
            return self.work_gray
        return self.per_image("gray", rgb, lambda im: cv2.cvtColor(im, cv2.COLOR_RGB2GRAY))

    def lab_of(self, rgb: np.ndarray) -> np.ndarray:
        """cv2 RGB->LAB (8-bit) of one of the context's images."""
        if rgb is self.work_rgb:
            return self.work_lab
        return self.per_image("lab", rgb, lambda im: cv2.cvtColor(im, cv2.COLOR_RGB2LAB))

    def ycrcb_of(self, rgb: np.ndarray) -> np.ndarray:
        """cv2 RGB->YCrCb of one of the context's images (the trace network and the grid cells read it)."""
        return self.per_image("ycrcb", rgb, lambda im: cv2.cvtColor(np.ascontiguousarray(im), cv2.COLOR_RGB2YCrCb))

    def resave_error(self, rgb: np.ndarray, quality: int = 90) -> np.ndarray:
        """int16 per-pixel |image - its cv2 JPEG re-save at `quality`|, max over channels (error level)."""
        return self.per_image(f"resave{quality}", rgb, lambda im: resave_error(im, quality))

    def median3(self, gray: np.ndarray) -> np.ndarray:
        """cv2.medianBlur(gray, 3) of a grey image of the context."""
        return self.per_image("median3", gray, lambda g: cv2.medianBlur(g, 3))

    def highpass_gauss1(self, gray: np.ndarray) -> np.ndarray:
        """g - GaussianBlur(g, sigma 1) in float32 of a grey image of the context (clone and upsampling traces)."""
        def compute(g: np.ndarray) -> np.ndarray:
            f = g.astype(np.float32)
            return f - cv2.GaussianBlur(f, (0, 0), 1.0)

        return self.per_image("highpass_gauss1", gray, compute)

    def text_lines(self, gray: np.ndarray) -> list[tuple[int, int, int, int]]:
        """Text line boxes found by layout on a grey image of the context (signals/document.find_text_lines)."""
        from credlift.tools.forensics.signals.document import find_text_lines

        return self.per_image("text_lines", gray, lambda g: find_text_lines(g, self.dark_components(g)))

    def dark_components(self, gray: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(labels, stats) of a grey image's dark components (glyphs.dark_components): the glyph boxes and the text
        lines start from the same ones, found once."""
        from credlift.tools.forensics.glyphs import dark_components

        return self.per_image("dark_components", gray, dark_components)

    def gradient_l1(self, gray: np.ndarray) -> np.ndarray:
        """|Sobel x| + |Sobel y| (float32, 3x3) of a grey image of the context."""
        def compute(g: np.ndarray) -> np.ndarray:
            f = g.astype(np.float32)
            return np.abs(cv2.Sobel(f, cv2.CV_32F, 1, 0)) + np.abs(cv2.Sobel(f, cv2.CV_32F, 0, 1))

        return self.per_image("gradient_l1", gray, compute)

    def grid_map_to_analysed(self, heat: np.ndarray) -> np.ndarray:
        """Bring a map computed on `grid_rgb` into the analysed image's frame (orientation, then size)."""
        grid, _ = self.grid_rgb
        if grid is not self.rgb:
            heat = _apply_orientation(heat, _orientation(self.upload))
        return resize_map(heat, self.shape)

    def record_heatmap(self, signal_name: str, heat: np.ndarray) -> None:
        """Signals hand their map to the context so the report model stays a plain contract."""
        self.heatmaps[signal_name] = np.clip(resize_map(heat.astype(np.float32), self.shape), 0.0, 1.0)


def resave_error(image: np.ndarray, quality: int = 90) -> np.ndarray:
    """int16 per-pixel |image - its cv2 JPEG re-save at `quality`|, max over channels (error level). OpenCV's
    absolute difference of the 8-bit images and its per-channel maximum: the int16 |a - b| max over axis 2, bit for
    bit, a twentieth of numpy's time on a colour page (its reduction over the channel axis is slow)."""
    ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    difference = cv2.absdiff(image, cv2.imdecode(encoded, cv2.IMREAD_UNCHANGED))
    if difference.ndim == 3:
        channels = cv2.split(difference)
        difference = channels[0]
        for channel in channels[1:]:
            difference = cv2.max(difference, channel)
    return difference.astype(np.int16)


def resize_map(heat: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    if heat.shape[:2] == tuple(shape):
        return heat
    return cv2.resize(heat.astype(np.float32), (shape[1], shape[0]), interpolation=cv2.INTER_LINEAR)


def estimate_jpeg_quality(luma_table: np.ndarray) -> float:
    """Inverse of the IJG quality scaling of the standard luminance table (Annex K)."""
    standard = np.array(STANDARD_LUMA, dtype=np.float64)
    table = np.asarray(luma_table, dtype=np.float64)[:64]
    if table.size != 64:
        return 0.0
    scale = float(np.mean(table / standard)) * 100.0
    if scale <= 0:
        return 100.0
    quality = (200.0 - scale) / 2.0 if scale <= 100.0 else 5000.0 / scale
    return float(np.clip(quality, 1.0, 100.0))


def _orientation(upload: Any) -> int:
    exif = getattr(upload, "exif", {}) or {}
    for key in ("Orientation", "orientation", "274"):
        if key in exif:
            try:
                return int(str(exif[key]).strip().split()[0])
            except ValueError:
                return 1
    return 1


def _apply_orientation(heat: np.ndarray, orientation: int) -> np.ndarray:
    """Same transposition PIL's exif_transpose applies for EXIF orientations 2..8."""
    ops = {
        2: lambda m: m[:, ::-1],
        3: lambda m: m[::-1, ::-1],
        4: lambda m: m[::-1, :],
        5: lambda m: m.T,
        6: lambda m: np.rot90(m, -1),
        7: lambda m: np.rot90(m.T, 2),
        8: lambda m: np.rot90(m, 1),
    }
    return np.ascontiguousarray(ops[orientation](heat)) if orientation in ops else heat


# ITU-T T.81 Annex K, table K.1, in natural (row-major) order as PIL reports it.
STANDARD_LUMA = [
    16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55,
    14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62,
    18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92,
    49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
]
