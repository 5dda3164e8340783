"""Drawing a certificate page: paper, guilloche, text runs with known boxes, seals, photo, QR-like code.

Every piece of text is a `TextRun` whose box (and per-character boxes) the tamperers and tests use.
All randomness comes from the numpy Generator passed in; everything heavy is vectorised numpy/OpenCV.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import cv2
import numpy as np
from PIL import Image, ImageDraw

from credlift.evals.synth.fonts import truetype

Box = tuple[int, int, int, int]  # x, y, w, h
INK_BLACK = (28, 28, 32)
SEAL_RED = (214, 38, 42)


@dataclass
class TextRun:
    text: str
    box: Box
    char_boxes: list[Box]
    family: str
    weight: str
    size: int
    color: tuple[int, int, int]
    field: str | None = None
    line: int = 0            # runs drawn by one call of `line()` share a line id (erase removes whole lines)


@dataclass
class Document:
    """A drawn page before capture."""
    rgb: np.ndarray
    runs: list[TextRun]
    seals: list[Box] = field(default_factory=list)
    photo: Box | None = None

    def runs_of(self, field_name: str) -> list[TextRun]:
        return [run for run in self.runs if run.field == field_name]

    @property
    def size(self) -> tuple[int, int]:
        return self.rgb.shape[1], self.rgb.shape[0]


class Canvas:
    """A page being drawn: PIL for text and shapes, numpy for textures; records every text run."""

    def __init__(self, width: int, height: int, rng: np.random.Generator, paper: tuple[int, int, int] = (250, 248, 242)):
        self.width, self.height, self.rng = width, height, rng
        self.image = Image.fromarray(paper_texture(height, width, paper, rng))
        self.draw = ImageDraw.Draw(self.image)
        self.runs: list[TextRun] = []
        self.seals: list[Box] = []
        self.photo: Box | None = None
        self._line_counter = 0
        self._pending_seals: list[tuple[int, int, int, str, str, tuple[int, int, int]]] = []

    # ------------------------------------------------------------------ text
    def text(self, x: float, y: float, text: str, size: int, family: str = "serif", weight: str = "regular",
             color: tuple[int, int, int] = INK_BLACK, field: str | None = None, tracking: float = 0.0,
             anchor: str = "ls", line: int | None = None) -> TextRun:
        """Draws `text` with its baseline at y; anchor 'ls' left, 'ms' centred, 'rs' right."""
        font = truetype(family, weight, size)
        advances = [font.getlength(ch) + tracking for ch in text]
        total = sum(advances) - (tracking if text else 0)
        if anchor[0] == "m":
            x -= total / 2
        elif anchor[0] == "r":
            x -= total
        ascent, descent = font.getmetrics()
        top = int(round(y - ascent * 0.86))
        bottom = int(round(y + descent * 0.35))
        char_boxes: list[Box] = []
        cursor = x
        if tracking:
            for ch, adv in zip(text, advances):
                self.draw.text((cursor, y), ch, font=font, fill=color, anchor="ls")
                char_boxes.append((int(cursor), top, max(1, int(round(adv - tracking))), bottom - top))
                cursor += adv
        else:
            self.draw.text((x, y), text, font=font, fill=color, anchor="ls")
            for ch, adv in zip(text, advances):
                char_boxes.append((int(cursor), top, max(1, int(round(adv))), bottom - top))
                cursor += adv
        if text:
            left, _, right, _ = self.draw.textbbox((x, y), text, font=font, anchor="ls")
            box = (int(min(left, x)), top, int(math.ceil(max(right, x + total) - min(left, x))), bottom - top)
        else:
            box = (int(x), top, 1, bottom - top)
        run = TextRun(text, box, char_boxes, family, weight, size, color, field,
                      self._line_counter if line is None else line)
        self.runs.append(run)
        return run

    def line(self, x: float, y: float, parts: list[tuple[str, str | None]], size: int, family: str = "serif",
             weight: str = "regular", color: tuple[int, int, int] = INK_BLACK,
             value_style: dict | None = None, anchor: str = "ls") -> list[TextRun]:
        """One line of consecutive runs; parts are (text, field or None). Field runs may use `value_style`."""
        self._line_counter += 1
        line_id = self._line_counter
        if anchor != "ls":
            width = sum(self.measure(t, size, **self._style(f, family, weight, value_style)) for t, f in parts)
            x -= width / 2 if anchor[0] == "m" else width
        runs = []
        for text, field_name in parts:
            style = self._style(field_name, family, weight, value_style)
            run_color = (value_style or {}).get("color", color) if field_name else color
            run = self.text(x, y, text, size, style["family"], style["weight"], run_color, field_name, line=line_id)
            runs.append(run)
            x += self.measure(text, size, **style)
        return runs

    def paragraph(self, x: float, y: float, width: float, parts: list[tuple[str, str | None]], size: int,
                  line_height: float, family: str = "serif", weight: str = "regular",
                  color: tuple[int, int, int] = INK_BLACK, value_style: dict | None = None,
                  indent: float = 0.0) -> float:
        """Wrapped running text; field values are never split across lines. Returns the next baseline y."""
        lines: list[list[tuple[str, str | None]]] = [[]]
        cursor = indent
        for text, field_name in parts:
            tokens = [(text, field_name)] if field_name else [(ch, None) for ch in text]
            for token, name in tokens:
                style = self._style(name, family, weight, value_style)
                advance = self.measure(token, size, **style)
                if cursor + advance > width and lines[-1] and token not in "，。、；：）":
                    lines.append([])
                    cursor = 0.0
                lines[-1].append((token, name))
                cursor += advance
        for number, tokens in enumerate(lines):
            merged: list[tuple[str, str | None]] = []
            for token, name in tokens:
                if merged and name is None and merged[-1][1] is None:
                    merged[-1] = (merged[-1][0] + token, None)
                else:
                    merged.append((token, name))
            self.line(x + (indent if number == 0 else 0), y, merged, size, family, weight, color, value_style)
            y += line_height
        return y

    @staticmethod
    def _style(field_name, family, weight, value_style):
        if field_name and value_style:
            return {"family": value_style.get("family", family), "weight": value_style.get("weight", weight)}
        return {"family": family, "weight": weight}

    @staticmethod
    def measure(text: str, size: int, family: str = "serif", weight: str = "regular") -> float:
        return truetype(family, weight, size).getlength(text)

    def labelled(self, x: float, y: float, label: str, value: str, field_name: str | None, size: int,
                 label_style: dict, value_style: dict, gap: float = 0.4) -> list[TextRun]:
        """'label：value' with the value in its own style; both runs on one line."""
        self._line_counter += 1
        line_id = self._line_counter
        label_run = self.text(x, y, label, size, line=line_id, **label_style)
        value_x = x + self.measure(label, size, label_style.get("family", "serif"), label_style.get("weight", "regular"))
        value_run = self.text(value_x + size * gap, y, value, size, field=field_name, line=line_id, **value_style)
        return [label_run, value_run]

    # ------------------------------------------------------------------ shapes
    def rect(self, box: Box, outline=(60, 60, 60), width: int = 2, fill=None) -> None:
        x, y, w, h = box
        self.draw.rectangle((x, y, x + w, y + h), outline=outline, width=width, fill=fill)

    def hline(self, x0: float, x1: float, y: float, color=(70, 70, 70), width: int = 2) -> None:
        self.draw.line((x0, y, x1, y), fill=color, width=width)

    def vline(self, x: float, y0: float, y1: float, color=(70, 70, 70), width: int = 2) -> None:
        self.draw.line((x, y0, x, y1), fill=color, width=width)

    def frame(self, margin: int, color: tuple[int, int, int], band: int = 0) -> None:
        """A double rule around the page; with `band` a guilloche strip between the rules."""
        w, h = self.width, self.height
        if band:
            arr = np.asarray(self.image).copy()
            lines = guilloche(h, w, self.rng, density=2.2, strength=0.85)
            mask = np.zeros((h, w), np.float32)
            mask[margin:h - margin, margin:w - margin] = 1.0
            mask[margin + band:h - margin - band, margin + band:w - margin - band] = 0.0
            alpha = (mask * lines)[..., None]
            arr = (arr * (1 - alpha) + alpha * np.asarray(color, np.float32)).astype(np.uint8)
            self.image = Image.fromarray(arr)
            self.draw = ImageDraw.Draw(self.image)
        self.draw.rectangle((margin, margin, w - margin, h - margin), outline=color, width=4)
        inner = margin + (band or 14)
        self.draw.rectangle((inner, inner, w - inner, h - inner), outline=color, width=2)

    def photo_box(self, box: Box) -> None:
        """An ID-style portrait: plain background, head, hair, shoulders (no real person)."""
        box = tuple(int(v) for v in box)
        self.photo = box
        x, y, w, h = box
        rng = self.rng
        backgrounds = [(67, 142, 219), (238, 238, 240), (196, 48, 48), (90, 160, 225)]
        background = backgrounds[int(rng.integers(len(backgrounds)))]
        portrait = Image.new("RGB", (w, h), background)
        pd = ImageDraw.Draw(portrait)
        skin = tuple(int(c) for c in np.array([232, 196, 170]) + rng.integers(-18, 10, 3))
        hair = tuple(int(c) for c in rng.integers(10, 45, 3))
        cloths = [(30, 34, 48), (40, 60, 110), (90, 90, 95)] + ([(240, 240, 240)] if sum(background) < 600 else [])
        cloth = cloths[int(rng.integers(len(cloths)))]
        cx, head_w, head_h = w / 2 + rng.uniform(-0.03, 0.03) * w, w * rng.uniform(0.44, 0.52), h * rng.uniform(0.44, 0.48)
        top = h * 0.15
        pd.ellipse((cx - w * 0.5, h * 0.7, cx + w * 0.5, h * 1.4), fill=cloth)                # shoulders
        pd.rectangle((cx - head_w * 0.2, top + head_h * 0.8, cx + head_w * 0.2, h * 0.76), fill=skin)  # neck
        pd.ellipse((cx - head_w / 2 - 4, top - head_h * 0.12, cx + head_w / 2 + 4, top + head_h * 0.65), fill=hair)
        pd.ellipse((cx - head_w / 2, top, cx + head_w / 2, top + head_h), fill=skin)
        eye_y = top + head_h * 0.45
        for side in (-1, 1):
            ex = cx + side * head_w * 0.2
            pd.ellipse((ex - 4, eye_y - 2, ex + 4, eye_y + 3), fill=(40, 30, 30))
        pd.line((cx - head_w * 0.12, top + head_h * 0.78, cx + head_w * 0.12, top + head_h * 0.78), fill=(170, 90, 90), width=2)
        arr = cv2.GaussianBlur(np.asarray(portrait), (0, 0), 1.2)
        noise = rng.standard_normal(arr.shape, dtype=np.float32) * 3.0
        self.image.paste(Image.fromarray(np.clip(arr + noise, 0, 255).astype(np.uint8)), (x, y))
        self.rect(box, outline=(120, 120, 120), width=1)

    def photo_placeholder(self, box: Box, text: str = "照片") -> None:
        """An empty framed box where a photo is glued on some documents."""
        self.rect(box, outline=(110, 110, 110), width=2)
        x, y, w, h = box
        self.text(x + w / 2, y + h / 2 + 10, text, 26, "sans", "regular", (150, 150, 150), anchor="ms")

    def qr_like(self, box: Box, modules: int = 25) -> None:
        """A verification code block: three finder patterns and random modules (not decodable, looks right)."""
        x, y, size, _ = box
        grid = self.rng.random((modules, modules)) < 0.5
        for fx, fy in ((0, 0), (modules - 7, 0), (0, modules - 7)):
            grid[fy:fy + 7, fx:fx + 7] = False
            grid[fy:fy + 7, fx] = grid[fy:fy + 7, fx + 6] = True
            grid[fy, fx:fx + 7] = grid[fy + 6, fx:fx + 7] = True
            grid[fy + 2:fy + 5, fx + 2:fx + 5] = True
        cell = size / modules
        tile = np.where(np.kron(grid, np.ones((8, 8), bool)), 20, 255).astype(np.uint8)
        tile = cv2.resize(tile, (int(cell * modules), int(cell * modules)), interpolation=cv2.INTER_NEAREST)
        self.image.paste(Image.fromarray(tile).convert("RGB"), (int(x), int(y)))

    def signature(self, x: float, y: float, name: str, size: int, color=(25, 30, 70)) -> None:
        """A handwritten-looking name: serif glyphs, sheared and jittered (no handwriting font is installed)."""
        font = truetype("serif", "bold" if self.rng.random() < 0.5 else "regular", size)
        w = int(font.getlength(name) + size)
        h = int(size * 1.6)
        layer = Image.new("L", (w, h), 0)
        ld = ImageDraw.Draw(layer)
        cursor = size * 0.2
        for ch in name:
            ld.text((cursor, h * 0.75 + self.rng.uniform(-size * 0.08, size * 0.08)), ch, font=font, fill=255, anchor="ls")
            cursor += font.getlength(ch) * self.rng.uniform(0.72, 0.9)
        shear = self.rng.uniform(0.25, 0.45)
        matrix = np.float32([[1, -shear, shear * h * 0.5], [0, 1, 0]])
        alpha = cv2.warpAffine(np.asarray(layer), matrix, (w, h))
        alpha = cv2.GaussianBlur(alpha, (0, 0), 0.7)
        self._blend_ink(alpha.astype(np.float32) / 255.0, (int(x), int(y - h * 0.75)), color, 0.95)

    def seal(self, cx: float, cy: float, radius: int, arc_text: str, bottom_text: str = "",
             color: tuple[int, int, int] = SEAL_RED) -> None:
        """A round red seal (ring, star, arc text) stamped over whatever is below it: drawn at the end."""
        self._pending_seals.append((int(cx), int(cy), int(radius), arc_text, bottom_text, color))

    def steel_stamp(self, cx: float, cy: float, radius: int) -> None:
        """The embossed seal pressed over a photo corner: a faint relief ring."""
        arr = np.asarray(self.image).astype(np.float32)
        x0, y0 = max(0, int(cx - radius - 4)), max(0, int(cy - radius - 4))
        x1, y1 = min(self.width, int(cx + radius + 4)), min(self.height, int(cy + radius + 4))
        yy, xx = np.mgrid[y0:y1, x0:x1]
        dist = np.hypot(xx - cx, yy - cy)
        ring = (np.abs(dist - radius * 0.92) < radius * 0.05) | (np.abs(dist - radius * 0.6) < radius * 0.03)
        relief = cv2.GaussianBlur(ring.astype(np.float32), (0, 0), 1.5)
        shade = np.roll(relief, 2, axis=0) - relief
        arr[y0:y1, x0:x1] += shade[..., None] * 40.0
        self.image = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
        self.draw = ImageDraw.Draw(self.image)

    def watermark(self, text: str, size: int, color=(228, 222, 214), angle: float = 25.0) -> None:
        """Faint diagonal repeated text under everything else (security background); one tile, repeated."""
        half_size = max(8, size // 2)  # drawn at half scale, then enlarged: the mark is faint and soft anyway
        font = truetype("serif", "bold", half_size)
        step_x, step_y = int(font.getlength(text) + half_size * 2), int(half_size * 3)
        tile = Image.new("L", (step_x, step_y * 2), 0)
        td = ImageDraw.Draw(tile)
        td.text((0, 0), text, font=font, fill=255)
        td.text((step_x // 2, step_y), text, font=font, fill=255)
        td.text((step_x // 2 - step_x, step_y), text, font=font, fill=255)
        half_w, half_h = self.width // 2, self.height // 2
        side = int(math.hypot(half_w, half_h)) + 2
        reps = (side // (step_y * 2) + 1, side // step_x + 1)
        sheet = np.tile(np.asarray(tile), reps)[:side, :side]
        rotation = cv2.getRotationMatrix2D((side / 2, side / 2), angle, 1.0)
        rotation[:, 2] += (half_w - side) / 2, (half_h - side) / 2
        alpha = cv2.warpAffine(sheet, rotation, (half_w, half_h))
        alpha = cv2.resize(alpha, (self.width, self.height), interpolation=cv2.INTER_LINEAR).astype(np.float32) / 255.0
        arr = np.asarray(self.image).astype(np.float32)
        tint = np.asarray(color, np.float32)
        arr = arr * (1 - alpha[..., None] * 0.5) + tint * alpha[..., None] * 0.5
        self.image = Image.fromarray(arr.astype(np.uint8))
        self.draw = ImageDraw.Draw(self.image)

    def background(self, color: tuple[int, int, int], strength: float = 0.35, density: float = 1.0) -> None:
        """Guilloche over the whole page (drawn first, under the text)."""
        arr = np.asarray(self.image).astype(np.float32)
        lines = guilloche(self.height, self.width, self.rng, density=density, strength=strength)
        arr = arr * (1 - lines[..., None]) + np.asarray(color, np.float32) * lines[..., None]
        self.image = Image.fromarray(arr.astype(np.uint8))
        self.draw = ImageDraw.Draw(self.image)

    # ------------------------------------------------------------------ finish
    def _blend_ink(self, alpha: np.ndarray, origin: tuple[int, int], color, opacity: float) -> None:
        """Multiplies ink of `color` into the page (ink over ink stays dark, as in print)."""
        arr = np.asarray(self.image).astype(np.float32)
        x0, y0 = origin
        h, w = alpha.shape
        ax0, ay0 = max(0, -x0), max(0, -y0)
        x0, y0 = max(0, x0), max(0, y0)
        x1, y1 = min(self.width, x0 + w - ax0), min(self.height, y0 + h - ay0)
        if x1 <= x0 or y1 <= y0:
            return
        a = alpha[ay0:ay0 + (y1 - y0), ax0:ax0 + (x1 - x0)][..., None] * opacity
        ink = np.asarray(color, np.float32) / 255.0
        region = arr[y0:y1, x0:x1]
        arr[y0:y1, x0:x1] = region * (1 - a * (1 - ink))
        self.image = Image.fromarray(arr.astype(np.uint8))
        self.draw = ImageDraw.Draw(self.image)

    def _draw_seal(self, cx, cy, radius, arc_text, bottom_text, color) -> None:
        size = radius * 2 + 8
        layer = Image.new("L", (size, size), 0)
        ld = ImageDraw.Draw(layer)
        c = size / 2
        ring = max(3, int(radius * 0.055))
        ld.ellipse((c - radius, c - radius, c + radius, c + radius), outline=255, width=ring)
        star_r = radius * 0.3
        points = []
        for k in range(10):
            r = star_r if k % 2 == 0 else star_r * 0.4
            ang = -math.pi / 2 + k * math.pi / 5
            points.append((c + r * math.cos(ang), c + r * math.sin(ang)))
        ld.polygon(points, fill=255)
        font_size = max(10, int(radius * 0.24))
        font = truetype("sans" if self.rng.random() < 0.6 else "serif", "bold", font_size)
        n = len(arc_text)
        span = min(math.radians(250), math.radians(22) * n)
        text_r = radius - ring - font_size * 0.62
        for i, ch in enumerate(arc_text):
            ang = -math.pi / 2 - span / 2 + span * (i + 0.5) / n
            glyph = Image.new("L", (font_size * 2, font_size * 2), 0)
            ImageDraw.Draw(glyph).text((font_size, font_size), ch, font=font, fill=255, anchor="mm")
            glyph = glyph.rotate(-math.degrees(ang + math.pi / 2), resample=Image.BILINEAR)
            gx, gy = c + text_r * math.cos(ang), c + text_r * math.sin(ang)
            layer.paste(255, (int(gx - font_size), int(gy - font_size)), glyph)
        if bottom_text:
            small = truetype("sans", "bold", max(9, int(radius * 0.16)))
            ld.text((c, c + radius * 0.55), bottom_text, font=small, fill=255, anchor="mm")
        alpha = np.asarray(layer).astype(np.float32) / 255.0
        # uneven ink: low-frequency pressure plus speckle gaps, as a rubber stamp leaves it
        pressure = cv2.resize(self.rng.uniform(0.55, 1.0, (6, 6)).astype(np.float32), (size, size), interpolation=cv2.INTER_CUBIC)
        speckle = (self.rng.random((size, size)) > 0.06).astype(np.float32)
        alpha = cv2.GaussianBlur(alpha * np.clip(pressure, 0, 1) * speckle, (0, 0), 0.8)
        angle = self.rng.uniform(-25, 25)
        matrix = cv2.getRotationMatrix2D((c, c), angle, 1.0)
        alpha = cv2.warpAffine(alpha, matrix, (size, size))
        self._blend_ink(alpha, (int(cx - c), int(cy - c)), color, self.rng.uniform(0.78, 0.95))
        self.seals.append((int(cx - radius), int(cy - radius), 2 * radius, 2 * radius))

    def finish(self) -> Document:
        for seal in self._pending_seals:
            self._draw_seal(*seal)
        self._pending_seals.clear()
        rgb = np.asarray(self.image).copy()
        # print texture: a slight softening of the rendered ink, as toner/offset printing gives
        rgb = cv2.GaussianBlur(rgb, (0, 0), 0.45)
        return Document(rgb=rgb, runs=self.runs, seals=self.seals, photo=self.photo)


# ---------------------------------------------------------------------- textures

def paper_texture(h: int, w: int, paper: tuple[int, int, int], rng: np.random.Generator) -> np.ndarray:
    """Paper colour with low-frequency mottling and fibre noise."""
    low = cv2.resize(rng.normal(0, 1, (8, 8)).astype(np.float32), (w, h), interpolation=cv2.INTER_CUBIC) * 2.0
    fibre = rng.standard_normal((h // 2, w // 2), dtype=np.float32) * 1.6
    fibre = cv2.resize(fibre, (w, h), interpolation=cv2.INTER_LINEAR)
    base = np.asarray(paper, np.float32)[None, None, :] + (low + fibre)[..., None]
    return np.clip(base, 0, 255).astype(np.uint8)


def guilloche(h: int, w: int, rng: np.random.Generator, density: float = 1.0, strength: float = 0.35) -> np.ndarray:
    """Interlaced wavy line families and a rosette (security printing): a line opacity map in [0, strength]."""
    scale = 2  # computed at half resolution, then resized: the lines are smooth anyway
    hh, ww = h // scale + 1, w // scale + 1
    yy, xx = np.mgrid[0:hh, 0:ww].astype(np.float32)
    total = np.zeros((hh, ww), np.float32)
    for _ in range(int(rng.integers(2, 4))):
        theta = rng.uniform(0, math.pi)
        period = rng.uniform(7, 13) / density
        amp = rng.uniform(8, 22)
        wavelength = rng.uniform(60, 180)
        phase = rng.uniform(0, 2 * math.pi)
        u = xx * math.cos(theta) + yy * math.sin(theta)
        v = -xx * math.sin(theta) + yy * math.cos(theta)
        t = (u + amp * np.sin(2 * math.pi * v / wavelength + phase)) / period
        dist = np.abs(t - np.round(t)) * period
        total = np.maximum(total, np.exp(-(dist ** 2) / 0.9))
    # a rosette centred on the page, as on many certificates
    cy, cx = hh / 2 + rng.uniform(-hh * 0.1, hh * 0.1), ww / 2 + rng.uniform(-ww * 0.1, ww * 0.1)
    r = np.hypot(xx - cx, yy - cy)
    ang = np.arctan2(yy - cy, xx - cx)
    petals = int(rng.integers(8, 18))
    rt = (r + 18 * np.sin(petals * ang)) / (9 / density)
    rosette = np.exp(-((np.abs(rt - np.round(rt)) * 9 / density) ** 2) / 0.9) * (r < min(hh, ww) * 0.42)
    total = np.maximum(total, rosette.astype(np.float32))
    return cv2.resize(total, (w, h), interpolation=cv2.INTER_LINEAR) * strength


def chinese_numeral_date(year: int, month: int | None = None, day: int | None = None) -> str:
    """2020, 6, 30 -> 二〇二〇年六月三十日 (the style printed on older certificates)."""
    digits = "〇一二三四五六七八九"

    def small(n: int) -> str:
        if n < 10:
            return digits[n]
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")

    text = "".join(digits[int(d)] for d in str(year)) + "年"
    if month:
        text += small(month) + "月"
    if day:
        text += small(day) + "日"
    return text
