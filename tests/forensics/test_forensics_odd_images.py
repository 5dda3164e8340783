"""Bad input: odd but valid images are analysed without crashing; hopeless ones come back unreadable."""
from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from forensic_pages import certificate
from credlift.errors import UnsupportedFileError
from credlift.tools.forensics import assess_authenticity
from credlift.tools.intake import UploadedImage, load_upload


def _encode(image: Image.Image, fmt: str, **kwargs) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **kwargs)
    return buffer.getvalue()


def _assert_analysed(data: bytes, name: str, data_dir) -> None:
    report = assess_authenticity(load_upload(data, name), data_dir=data_dir)
    assert report.verdict in ("authentic", "suspicious", "tampered", "ai_generated", "undetermined")
    assert 0.0 <= report.score <= 1.0
    # every check either ran or is listed as skipped by the cascade, with its reason
    accounted = {s.name for s in report.signals} | set(report.skipped)
    assert accounted >= {"metadata", "ela", "noise", "copy_move", "document"}
    assert all(report.skipped.values())


def test_cmyk_jpeg_does_not_crash(data_dir):
    _assert_analysed(_encode(Image.fromarray(certificate(seed=31)).convert("CMYK"), "JPEG", quality=90), "cmyk.jpg", data_dir)


def test_16_bit_png_does_not_crash(data_dir):
    gray16 = (certificate(seed=32)[..., 0].astype(np.uint16) * 257)
    _assert_analysed(_encode(Image.fromarray(gray16, mode="I;16"), "PNG"), "deep.png", data_dir)


def test_palette_gif_does_not_crash(data_dir):
    _assert_analysed(_encode(Image.fromarray(certificate(seed=33)).convert("P", palette=Image.ADAPTIVE), "GIF"),
                     "palette.gif", data_dir)


def test_tiny_image_is_refused_by_intake_and_unreadable_for_forensics(data_dir):
    tiny = _encode(Image.new("RGB", (20, 20), (200, 200, 200)), "PNG")
    with pytest.raises(UnsupportedFileError):
        load_upload(tiny, "tiny.png")
    stand_in = UploadedImage(sha256="0" * 64, original_bytes=tiny, format="PNG", rgb=np.full((20, 20, 3), 200, np.uint8),
                             scale=1.0, original_size=(20, 20))
    report = assess_authenticity(stand_in, data_dir=data_dir)
    assert report.verdict == "unreadable" and report.reason


def test_blank_page_is_unreadable(data_dir):
    report = assess_authenticity(load_upload(_encode(Image.new("RGB", (800, 600), "white"), "PNG"), "blank.png"),
                                 data_dir=data_dir)
    assert report.verdict == "unreadable"
    assert "blank" in report.reason


def test_huge_photo_does_not_crash(data_dir):
    page = Image.fromarray(certificate(seed=34)).resize((8000, 6000), Image.BILINEAR)
    _assert_analysed(_encode(page, "JPEG", quality=85), "huge.jpg", data_dir)
