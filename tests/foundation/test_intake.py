"""Intake turns any upload into an analysable image or a sentence a person can act on."""
from __future__ import annotations

import io

import numpy as np
import piexif
import pytest
from PIL import Image

from credlift.errors import UnsupportedFileError
from credlift.tools.intake import MAX_ANALYSED_SIDE, load_upload, store_upload


def _encode(image: Image.Image, fmt: str, **kwargs) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **kwargs)
    return buffer.getvalue()


def _paper(width=400, height=300, mode="RGB"):
    array = np.full((height, width, 3), 240, np.uint8)
    array[100:120, 50:350] = 20
    return Image.fromarray(array).convert(mode)


def test_jpeg_is_decoded_to_rgb_with_hash_and_size(data_dir):
    data = _encode(_paper(), "JPEG", quality=90)
    upload = load_upload(data, "cert.jpg")
    assert upload.format == "JPEG"
    assert upload.rgb.shape == (300, 400, 3) and upload.rgb.dtype == np.uint8
    assert len(upload.sha256) == 64 and upload.scale == 1.0


@pytest.mark.parametrize("mode,fmt", [("CMYK", "JPEG"), ("P", "GIF"), ("RGBA", "PNG"), ("L", "PNG")])
def test_odd_colour_modes_become_rgb(mode, fmt, data_dir):
    upload = load_upload(_encode(_paper(mode=mode), fmt), f"x.{fmt.lower()}")
    assert upload.rgb.ndim == 3 and upload.rgb.shape[2] == 3


def test_sixteen_bit_png_is_scaled_to_eight_bit(data_dir):
    array = (np.linspace(0, 65535, 300 * 400).reshape(300, 400)).astype(np.uint16)
    upload = load_upload(_encode(Image.fromarray(array, mode="I;16"), "PNG"), "deep.png")
    assert upload.rgb.max() > 200 and upload.rgb.min() < 10


def test_exif_orientation_is_applied_and_software_tag_kept(data_dir):
    exif = piexif.dump({"0th": {piexif.ImageIFD.Orientation: 6, piexif.ImageIFD.Software: b"Adobe Photoshop 25.0"}})
    upload = load_upload(_encode(_paper(400, 300), "JPEG", exif=exif), "rot.jpg")
    assert upload.rgb.shape[:2] == (400, 300)
    assert "Photoshop" in upload.exif.get("Software", "")


def test_png_text_chunks_are_exposed(data_dir):
    from PIL.PngImagePlugin import PngInfo

    meta = PngInfo()
    meta.add_text("parameters", "a diploma, Steps: 30, Sampler: Euler a")
    upload = load_upload(_encode(_paper(), "PNG", pnginfo=meta), "gen.png")
    assert "Steps: 30" in upload.info["text:parameters"]


def test_huge_photo_is_downscaled_for_analysis(data_dir):
    big = Image.new("RGB", (8000, 5000), (230, 230, 230))
    upload = load_upload(_encode(big, "JPEG", quality=70), "big.jpg")
    assert max(upload.rgb.shape[:2]) <= MAX_ANALYSED_SIDE
    assert upload.original_size == (8000, 5000) and upload.scale < 0.4


@pytest.mark.parametrize("payload,phrase", [
    (b"%PDF-1.7\n...", "PDF"),
    (b"MZ\x90\x00" + b"\x00" * 200, "program"),
    (b"\x00\x00\x00\x18ftypheic" + b"\x00" * 100, "HEIC"),
    (b"hello, this is text", "not an image"),
    (b"", "empty"),
])
def test_files_that_are_not_images_get_a_sentence(payload, phrase, data_dir):
    with pytest.raises(UnsupportedFileError, match=phrase):
        load_upload(payload, "upload.jpg")


def test_truncated_jpeg_is_reported_as_cut_off(data_dir):
    data = _encode(_paper(800, 600), "JPEG", quality=95)
    with pytest.raises(UnsupportedFileError, match="cut off|could not be read"):
        load_upload(data[: len(data) // 2], "half.jpg")


def test_tiny_image_is_refused_with_its_size(data_dir):
    with pytest.raises(UnsupportedFileError, match="20x20"):
        load_upload(_encode(Image.new("RGB", (20, 20)), "PNG"), "tiny.png")


def test_oversized_file_is_refused_before_decoding(data_dir, monkeypatch):
    monkeypatch.setenv("CREDLIFT_MAX_UPLOAD_MB", "1")
    from credlift.settings import reset_settings_cache

    reset_settings_cache()
    with pytest.raises(UnsupportedFileError, match="MB"):
        load_upload(b"\xff\xd8\xff" + b"\x00" * (2 * 1024 * 1024), "big.jpg")


def test_stored_upload_is_kept_by_content_hash(data_dir):
    upload = load_upload(_encode(_paper(), "PNG"), "a.png")
    path = store_upload(upload, data_dir)
    assert upload.sha256 in path.name and path.read_bytes() != upload.original_bytes  # sealed at rest
    assert load_upload(path).original_bytes == upload.original_bytes  # opened again on the way back in
    assert store_upload(upload, data_dir) == path
