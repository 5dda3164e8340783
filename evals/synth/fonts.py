"""Finds the Noto CJK fonts the certificates are drawn with (Debian package fonts-noto-cjk)."""
from __future__ import annotations

import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), Path.home() / ".fonts")
#: the faces a template may ask for: (family, weight) -> fontconfig name of the Simplified Chinese face
FACES: dict[tuple[str, str], str] = {
    ("sans", "regular"): "Noto Sans CJK SC:style=Regular",
    ("sans", "bold"): "Noto Sans CJK SC:style=Bold",
    ("serif", "regular"): "Noto Serif CJK SC:style=Regular",
    ("serif", "bold"): "Noto Serif CJK SC:style=Bold",
    ("mono", "regular"): "Noto Sans Mono CJK SC:style=Regular",
    ("mono", "bold"): "Noto Sans Mono CJK SC:style=Bold",
}
#: Latin-only faces: a forger's near-match for digits when retyping a number
LATIN_FACES: dict[tuple[str, str], str] = {
    ("latin_sans", "regular"): "DejaVuSans.ttf",
    ("latin_sans", "bold"): "DejaVuSans-Bold.ttf",
    ("latin_serif", "regular"): "DejaVuSerif.ttf",
    ("latin_serif", "bold"): "DejaVuSerif-Bold.ttf",
}


class FontNotFoundError(RuntimeError):
    """The CJK fonts are missing; the message names the package to install."""


@dataclass(frozen=True)
class FontFace:
    family: str
    weight: str
    path: str
    index: int


def _face_names(path: Path) -> list[tuple[int, str, str]]:
    names = []
    for index in range(16):
        try:
            family, style = ImageFont.truetype(str(path), 12, index=index).getname()
        except OSError:
            break
        names.append((index, family, style))
    return names


@lru_cache(maxsize=1)
def _installed_faces() -> dict[str, tuple[str, int]]:
    """'Family:style=Style' -> (path, index) for every Noto CJK and DejaVu face on this machine."""
    found: dict[str, tuple[str, int]] = {}
    for directory in FONT_DIRS:
        if not directory.exists():
            continue
        for path in sorted(directory.rglob("*")):
            if path.suffix.lower() in (".ttc", ".otf") and "CJK" in path.name:
                for index, family, style in _face_names(path):
                    found.setdefault(f"{family}:style={style}", (str(path), index))
            elif path.suffix.lower() == ".ttf" and path.name.startswith("DejaVu"):
                found.setdefault(path.name, (str(path), 0))
    return found


def _fc_match(name: str) -> tuple[str, int] | None:
    """fontconfig's answer, used only when the scan of the usual folders found nothing."""
    try:
        out = subprocess.run(["fc-match", "-f", "%{file}:%{index}:%{family}", name], capture_output=True,
                             text=True, timeout=10, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    file, _, rest = out.partition(":")
    index, _, family = rest.partition(":")
    if file and "CJK" in family and index.isdigit():
        return file, int(index)
    return None


@lru_cache(maxsize=None)
def face(family: str, weight: str = "regular") -> FontFace:
    key = (family, weight)
    name = FACES.get(key) or LATIN_FACES.get(key)
    if name is None:
        raise KeyError(f"no font face {family}/{weight}")
    located = _installed_faces().get(name) or (_fc_match(name) if key in FACES else None)
    if located is None and key in LATIN_FACES:
        return face("sans", weight)  # DejaVu missing: the CJK face draws digits too
    if located is None:
        raise FontNotFoundError(
            f"The font '{name}' is not installed; install the Debian package fonts-noto-cjk "
            "(apt-get install fonts-noto-cjk).")
    return FontFace(family, weight, located[0], located[1])


@lru_cache(maxsize=512)
def truetype(family: str, weight: str, size: int) -> ImageFont.FreeTypeFont:
    chosen = face(family, weight)
    return ImageFont.truetype(chosen.path, max(6, int(size)), index=chosen.index)


def check_fonts() -> None:
    """Raises FontNotFoundError with the package name when any CJK face is missing."""
    for family, weight in FACES:
        face(family, weight)
