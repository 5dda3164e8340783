"""Getting a photo ready to read: red seal suppression, page orientation and skew, and photo quality.

Everything here is classical image processing (OpenCV) and cheap: it runs before the OCR models on every upload.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

# A seal is a red ring or disc; a red title is a wide strip. Seals are kept within these shape bounds.
SEAL_MIN_SIDE_FRACTION = 0.075   # of the page's long side; title characters are smaller
SEAL_MAX_SIDE_FRACTION = 0.45
SEAL_MAX_ASPECT = 1.8
SEAL_RING_COVERAGE = 0.85        # share of directions in which ink reaches the rim (a ring: all of them)

# Sharpness (variance of the Laplacian on a 1000 px page) below which digits stop being readable.
BLURRY_BELOW = 80.0
VERY_BLURRY_BELOW = 30.0
# A page whose short side is under this many pixels carries too few pixels per character.
SMALL_SHORT_SIDE = 360


@dataclass
class SealRegion:
    x: int
    y: int
    w: int
    h: int


@dataclass
class PhotoQuality:
    """How readable the photo is, measured before reading it."""
    width: int
    height: int
    sharpness: float
    brightness: float
    contrast: float
    paper_fraction: float = 0.0
    problems: list[str] = field(default_factory=list)

    @property
    def too_small(self) -> bool:
        return "too_small" in self.problems

    @property
    def looks_like_paper(self) -> bool:
        return self.paper_fraction >= 0.25

    @property
    def blurry(self) -> bool:
        return "blurry" in self.problems or "very_blurry" in self.problems


def redness(rgb: np.ndarray) -> np.ndarray:
    r = rgb[..., 0].astype(np.int16)
    return r - np.maximum(rgb[..., 1], rgb[..., 2]).astype(np.int16)


def red_ink_mask(rgb: np.ndarray, paper_redness: float | np.ndarray = 0.0) -> np.ndarray:
    """Pixels printed in red ink (seal red, pink where the ink is thin), redder than the paper around them (award
    certificates are often printed on pink paper); dark text under the ink is not included."""
    return ((redness(rgb) - paper_redness > 40) & (rgb[..., 0] > 110)).astype(np.uint8)


def _paper_redness(rgb: np.ndarray) -> np.ndarray:
    """The redness of the paper around each pixel: a median over a window wider than seal strokes."""
    level = np.clip(redness(rgb) + 128, 0, 255).astype(np.uint8)
    return cv2.medianBlur(level, 31).astype(np.int16) - 128


def find_seals(rgb: np.ndarray) -> list[SealRegion]:
    """Roughly square red regions (round or oval seals), found on a downscaled copy."""
    height, width = rgb.shape[:2]
    factor = min(1.0, 800.0 / max(height, width))
    small = cv2.resize(rgb, (max(1, round(width * factor)), max(1, round(height * factor))), interpolation=cv2.INTER_AREA) if factor < 1 else rgb
    mask = red_ink_mask(small, _paper_redness(small))
    if mask.sum() < 30:
        return []
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (9, 9))
    closed = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, kernel)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(closed, connectivity=8)
    long_side = max(small.shape[:2])
    seals: list[SealRegion] = []
    for index in range(1, count):
        x, y, w, h, area = stats[index]
        side = max(w, h)
        if side < SEAL_MIN_SIDE_FRACTION * long_side or side > SEAL_MAX_SIDE_FRACTION * long_side:
            continue
        if max(w, h) / max(1, min(w, h)) > SEAL_MAX_ASPECT:
            continue
        if _rim_coverage(labels[y:y + h, x:x + w] == index) < SEAL_RING_COVERAGE:
            continue
        pad = max(2, side // 12)
        seals.append(SealRegion(
            x=max(0, round((x - pad) / factor)), y=max(0, round((y - pad) / factor)),
            w=round((w + 2 * pad) / factor), h=round((h + 2 * pad) / factor)))
    # a seal's star and ring can come apart where text crosses them: keep the outer region only
    kept: list[SealRegion] = []
    for seal in sorted(seals, key=lambda s: -s.w * s.h):
        cx, cy = seal.x + seal.w / 2, seal.y + seal.h / 2
        if not any(k.x <= cx <= k.x + k.w and k.y <= cy <= k.y + k.h for k in kept):
            kept.append(seal)
    return kept


def _rim_coverage(component: np.ndarray, bins: int = 36) -> float:
    """Share of directions from the centre in which the component has ink near its rim (ellipse-normalised)."""
    ys, xs = np.nonzero(component)
    if len(xs) == 0:
        return 0.0
    h, w = component.shape
    u = (xs - (w - 1) / 2.0) / max(w / 2.0, 1.0)
    v = (ys - (h - 1) / 2.0) / max(h / 2.0, 1.0)
    rim = np.hypot(u, v) > 0.75
    if not rim.any():
        return 0.0
    angles = np.arctan2(v[rim], u[rim])
    occupied = np.unique(((angles + np.pi) / (2 * np.pi) * bins).astype(int) % bins)
    return len(occupied) / bins


def suppress_seal_colour(rgb: np.ndarray, seals: list[SealRegion] | None = None) -> np.ndarray:
    """Red seal ink turned into paper inside each seal region, so black text printed under a seal stays readable.

    The red channel of red ink is bright while black text is dark in every channel, so inside a seal the red
    channel alone is a clean picture of the text.
    """
    seals = find_seals(rgb) if seals is None else seals
    if not seals:
        return rgb
    cleaned = rgb.copy()
    for seal in seals:
        window = cleaned[seal.y:seal.y + seal.h, seal.x:seal.x + seal.w]
        if window.size == 0:
            continue
        ink = red_ink_mask(window, float(np.percentile(redness(window), 40))).astype(bool)
        # lift the mid-tones of the red channel (thin ink, anti-aliasing) to paper, keep dark text dark
        red = window[..., 0].astype(np.float32)
        lifted = np.clip((red - 60.0) * (255.0 / 150.0), 0, 255).astype(np.uint8)
        ink = cv2.dilate(ink.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
        window[ink] = np.repeat(lifted[ink][:, None], 3, axis=1)
    return cleaned


def assess_quality(rgb: np.ndarray) -> PhotoQuality:
    """Sharpness, brightness and size, with the problems a person can fix by taking the photo again."""
    height, width = rgb.shape[:2]
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    factor = 1000.0 / max(height, width)
    normalised = cv2.resize(gray, (max(1, round(width * factor)), max(1, round(height * factor))),
                            interpolation=cv2.INTER_AREA if factor < 1 else cv2.INTER_LINEAR)
    laplacian = cv2.Laplacian(normalised, cv2.CV_64F)
    # sharpness measured where there is ink: a mostly empty page would otherwise look blurry
    edges = np.abs(laplacian)
    busy = edges > np.percentile(edges, 90)
    sharpness = float(laplacian[busy].var()) if busy.any() else 0.0
    brightness = float(normalised.mean())
    contrast = float(normalised.std())
    # share of the frame that looks like paper (light, unsaturated): a certificate has a lot, a cat has none
    small = cv2.resize(rgb, (max(1, round(width * factor / 4)), max(1, round(height * factor / 4))), interpolation=cv2.INTER_AREA)
    hsv = cv2.cvtColor(small, cv2.COLOR_RGB2HSV)
    paper_fraction = float(((hsv[..., 2] > 150) & (hsv[..., 1] < 70)).mean())
    problems: list[str] = []
    if min(height, width) < SMALL_SHORT_SIDE:
        problems.append("too_small")
    if contrast < 6.0:
        problems.append("blank")
    elif sharpness < VERY_BLURRY_BELOW:
        problems.append("very_blurry")
    elif sharpness < BLURRY_BELOW:
        problems.append("blurry")
    if brightness < 50:
        problems.append("too_dark")
    return PhotoQuality(width=width, height=height, sharpness=round(sharpness, 2), brightness=round(brightness, 2),
                        contrast=round(contrast, 2), paper_fraction=round(paper_fraction, 3), problems=problems)


def text_direction(polygons: list[np.ndarray]) -> tuple[bool, float]:
    """From detected text-line polygons: (lines run vertically, i.e. the page is turned a quarter, skew in degrees).

    Each polygon's long edge runs along its text line; the median over lines, weighted by length, is the page's.
    """
    if not polygons:
        return False, 0.0
    angles, weights, vertical_weight = [], [], 0.0
    for polygon in polygons:
        top = polygon[1] - polygon[0]
        side = polygon[3] - polygon[0]
        top_length, side_length = float(np.hypot(*top)), float(np.hypot(*side))
        if side_length > top_length * 1.5:
            vertical_weight += side_length
            continue
        if top_length < 1:
            continue
        angles.append(float(np.degrees(np.arctan2(top[1], top[0]))))
        weights.append(top_length)
    horizontal_weight = float(sum(weights))
    if vertical_weight > 1.5 * horizontal_weight:
        return True, 0.0
    if not angles:
        return False, 0.0
    order = np.argsort(angles)
    cumulative = np.cumsum(np.asarray(weights)[order])
    median = float(np.asarray(angles)[order][np.searchsorted(cumulative, cumulative[-1] / 2)])
    return False, median


def rotate_points_quarter(points: np.ndarray, quarter_turns: int, width: int, height: int) -> np.ndarray:
    """Maps points of an image (width x height) into np.rot90(image, quarter_turns) coordinates."""
    points = np.asarray(points, dtype=np.float32).copy()
    for _ in range(quarter_turns % 4):
        x, y = points[..., 0].copy(), points[..., 1].copy()
        points[..., 0], points[..., 1] = y, (width - 1) - x
        width, height = height, width
    return points


def deskew_points(points: np.ndarray, skew_degrees: float, width: int, height: int) -> np.ndarray:
    """Rotates points about the page centre by -skew, so that text lines become horizontal."""
    if abs(skew_degrees) < 0.05:
        return np.asarray(points, dtype=np.float32)
    theta = np.radians(-skew_degrees)
    centre = np.array([width / 2.0, height / 2.0], dtype=np.float32)
    rotation = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]], dtype=np.float32)
    return (np.asarray(points, dtype=np.float32) - centre) @ rotation.T + centre
