"""Look of the app: a soft Gradio theme with system CJK fonts (no web fonts: the app works with no network)."""
from __future__ import annotations

from pathlib import Path

import gradio as gr

CSS_PATH = Path(__file__).with_name("style.css")
FONT_STACK = ["Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", "system-ui", "sans-serif"]


def build_theme() -> gr.themes.Base:
    # plain font names (not gr.themes.GoogleFont), so the browser never asks a font server
    return gr.themes.Soft(primary_hue="emerald", neutral_hue="slate", font=FONT_STACK,
                          font_mono=["Noto Sans Mono CJK SC", "ui-monospace", "monospace"])


def app_css() -> str:
    return CSS_PATH.read_text(encoding="utf-8")
