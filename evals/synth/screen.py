"""Drawing a phone app's page as the phone renders it (the screenshot templates: a rider's platform profile, a
creator's account page): flat colours, crisp anti-aliased text, the status bar, and every element placed on the
app's layout grid of 4 dp at the device's UI scale (dp -> px), the way Android and iOS lay pages out.

A `Screen` draws in dp; `dp(v)` is the pixel position. Text runs are recorded like a certificate's, so the
tamperers and the field boxes work unchanged.
"""
from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from credlift.evals.synth.drawing import Canvas, Document, TextRun

#: (screen width px, UI scale px per dp, screen height px): common Android and iPhone screens
DEVICES = ((720, 2.0, 1600), (1080, 3.0, 2400), (1080, 2.75, 2340), (1170, 3.0, 2532), (1242, 3.0, 2688),
           (1080, 3.0, 2340), (1440, 4.0, 3200))
GRID_DP = 4  # every left edge, centre line and baseline of the layout sits on this grid
STATUS_BAR_DP = 32


class Screen(Canvas):
    """A phone page being drawn: the background is flat, nothing is blurred at the end (a screen, not paper)."""

    def __init__(self, rng: np.random.Generator, background: tuple[int, int, int] = (244, 245, 247),
                 device: tuple[int, float, int] | None = None):
        width, scale, height = device or DEVICES[int(rng.integers(len(DEVICES)))]
        self.scale = scale
        self.width, self.height, self.rng = width, height, rng
        self.image = Image.new("RGB", (width, height), background)
        self.draw = ImageDraw.Draw(self.image)
        self.runs = []
        self.seals = []
        self.photo = None
        self._line_counter = 0
        self._pending_seals = []
        self.width_dp = width / scale

    def dp(self, value: float) -> int:
        """A dp position in whole pixels (the renderer snaps to pixels)."""
        return int(round(value * self.scale))

    def label(self, x_dp: float, baseline_dp: float, text: str, size_dp: float, color=(30, 30, 34),
              weight: str = "regular", field: str | None = None, anchor: str = "ls") -> TextRun:
        """Text at a dp position, in the app's sans face (PingFang / Noto Sans CJK both render as sans here)."""
        return self.text(self.dp(x_dp), self.dp(baseline_dp), text, max(8, self.dp(size_dp)), "sans", weight, color,
                         field=field, anchor=anchor)

    def panel(self, top_dp: float, height_dp: float, fill=(255, 255, 255), margin_dp: float = 12,
              radius_dp: float = 12) -> None:
        self.draw.rounded_rectangle((self.dp(margin_dp), self.dp(top_dp), self.dp(self.width_dp - margin_dp),
                                     self.dp(top_dp + height_dp)), radius=self.dp(radius_dp), fill=fill)

    def status_bar(self, clock: str, dark: bool = False, fill=None) -> None:
        """The system status bar: the time left, signal bars and the battery right, at the device's scale."""
        fg = (250, 250, 250) if dark else (20, 20, 22)
        if fill is not None:
            self.draw.rectangle((0, 0, self.width, self.dp(STATUS_BAR_DP)), fill=fill)
        self.text(self.dp(20), self.dp(22), clock, self.dp(14), "sans", "bold", fg)
        right = self.width_dp - 20
        battery = (self.dp(right - 24), self.dp(12), self.dp(right), self.dp(23))
        self.draw.rounded_rectangle(battery, radius=self.dp(3), outline=fg, width=max(1, self.dp(1)))
        level = float(self.rng.uniform(0.2, 1.0))
        self.draw.rectangle((self.dp(right - 22), self.dp(14), self.dp(right - 22 + 20 * level), self.dp(21)), fill=fg)
        for i in range(4):
            x = right - 52 + i * 5
            self.draw.rectangle((self.dp(x), self.dp(23 - 3 * (i + 1)), self.dp(x + 3), self.dp(23)), fill=fg)

    def avatar(self, x_dp: float, y_dp: float, size_dp: float) -> None:
        colour = tuple(int(v) for v in self.rng.integers(120, 220, 3))
        self.draw.ellipse((self.dp(x_dp), self.dp(y_dp), self.dp(x_dp + size_dp), self.dp(y_dp + size_dp)), fill=colour)
        self.draw.ellipse((self.dp(x_dp + size_dp * 0.3), self.dp(y_dp + size_dp * 0.18),
                           self.dp(x_dp + size_dp * 0.7), self.dp(y_dp + size_dp * 0.58)), fill=(250, 250, 250))

    def nav_bar(self, items: tuple[str, ...], active: int, accent: tuple[int, int, int]) -> None:
        """The app's bottom tab bar."""
        top = self.height / self.scale - 56
        self.draw.rectangle((0, self.dp(top), self.width, self.height), fill=(255, 255, 255))
        self.draw.line((0, self.dp(top), self.width, self.dp(top)), fill=(228, 228, 230), width=1)
        cell = self.width_dp / len(items)
        for i, item in enumerate(items):
            colour = accent if i == active else (120, 120, 126)
            centre = cell * (i + 0.5)
            self.draw.ellipse((self.dp(centre - 10), self.dp(top + 8), self.dp(centre + 10), self.dp(top + 28)),
                              outline=colour, width=max(1, self.dp(1.5)))
            self.text(self.dp(centre), self.dp(top + 44), item, self.dp(11), "sans", "regular", colour, anchor="ms")

    def finish(self) -> Document:
        return Document(rgb=np.asarray(self.image).copy(), runs=self.runs, seals=[], photo=None)


def clock_text(rng: np.random.Generator) -> str:
    return f"{int(rng.integers(7, 23))}:{int(rng.integers(0, 60)):02d}"
