"""Deterministic image files: fixed JPEG encoder settings, EXIF without timestamps, PNG text chunks on request."""
from __future__ import annotations

import io

import numpy as np
import piexif
from PIL import Image, PngImagePlugin

JPEG_SUBSAMPLING = 2   # 4:2:0, what phones and most editors write
PNG_COMPRESS_LEVEL = 1   # zlib's fastest level: 4x faster than 6 for ~10% larger files


def encode(rgb: np.ndarray, fmt: str, quality: int | None = None, exif: dict | None = None,
           png_text: dict[str, str] | None = None) -> bytes:
    image = Image.fromarray(rgb)
    buffer = io.BytesIO()
    if fmt == "jpeg":
        options = {"quality": int(quality or 90), "subsampling": JPEG_SUBSAMPLING, "optimize": False, "progressive": False}
        if exif:
            options["exif"] = piexif.dump(exif)
        image.save(buffer, "JPEG", **options)
    elif fmt == "png":
        info = None
        if png_text:
            info = PngImagePlugin.PngInfo()
            for key, value in png_text.items():
                info.add_itxt(key, value) if not value.isascii() else info.add_text(key, value)
        options = {"compress_level": PNG_COMPRESS_LEVEL, "optimize": False}
        if exif:
            options["exif"] = piexif.dump(exif)
        image.save(buffer, "PNG", pnginfo=info, **options)
    else:
        raise ValueError(f"unknown format {fmt!r}")
    return buffer.getvalue()


def decode(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as image:
        return np.asarray(image.convert("RGB")).copy()


def with_software(data: bytes, fmt: str, software: str, artist: str | None = None) -> bytes:
    """The same pixels (the same JPEG scan data) with an editor named in the metadata: a metadata-only edit."""
    if fmt == "jpeg":
        try:
            exif = piexif.load(data)
        except Exception:  # no EXIF block yet
            exif = {"0th": {}, "Exif": {}, "GPS": {}, "1st": {}, "thumbnail": None}
        exif["0th"][piexif.ImageIFD.Software] = software.encode()
        if artist:
            exif["0th"][piexif.ImageIFD.Artist] = artist.encode()
        output = io.BytesIO()
        piexif.insert(piexif.dump(exif), data, output)
        return output.getvalue()
    with Image.open(io.BytesIO(data)) as image:
        text = {k: v for k, v in image.info.items() if isinstance(v, str)}
        text["Software"] = software
        if artist:
            text["Author"] = artist
        return encode(np.asarray(image.convert("RGB")), "png", png_text=text)
