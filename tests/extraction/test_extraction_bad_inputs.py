"""Bad input gets a sentence a person understands, never a crash: not a certificate, blank, huge, broken, PDF, HEIC."""
from __future__ import annotations

import io

import cv2
import numpy as np
import pytest
from PIL import Image

from credlift.errors import UnsupportedFileError
from credlift.tools.extraction import extract_credential
from credlift.tools.extraction.validators import validate_credential
from credlift.tools.intake import load_upload


def jpeg_bytes(rgb: np.ndarray, quality: int = 90) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()


def cat_photo() -> bytes:
    """A natural-looking photo without text: smooth fur-coloured blobs, texture and shading."""
    rng = np.random.default_rng(11)
    base = cv2.GaussianBlur(rng.random((600, 800, 3)).astype(np.float32), (0, 0), 25)
    base = (base - base.min()) / (np.ptp(base) or 1.0)
    fur = np.array([200, 140, 80], np.float32) * base + np.array([40, 30, 25], np.float32)
    texture = cv2.GaussianBlur(rng.normal(0, 18, (600, 800, 1)).astype(np.float32), (0, 0), 1.2)
    return jpeg_bytes(np.clip(fur + texture[..., None], 0, 255).astype(np.uint8))


def blank_page() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 900), (248, 248, 246)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_photo_of_a_cat_is_not_a_credential():
    record = extract_credential(load_upload(cat_photo(), filename="cat.jpg"))
    assert record.type in ("other", "unknown")
    assert {"NOT_A_CREDENTIAL", "NO_TEXT"} & set(record.warning_codes)
    assert validate_credential(record).error_codes == ["TYPE_UNKNOWN"]


def test_a_blank_page_says_it_is_blank():
    record = extract_credential(load_upload(blank_page(), filename="blank.png"))
    assert record.type == "unknown" and record.warning_codes == ["PHOTO_BLANK"]
    assert "blank" in record.warnings[0]


def test_a_40_megapixel_photo_is_read(credential_samples):
    label, upload, _ = credential_samples["cet6"]
    huge = cv2.resize(upload.rgb, (7744, 5164), interpolation=cv2.INTER_LINEAR)
    data = jpeg_bytes(huge, quality=80)
    big = load_upload(data, filename="huge.jpg")
    assert big.original_size == (7744, 5164) and max(big.rgb.shape) <= 3000
    record = extract_credential(big)
    assert record.type == "cet6" and record.fields["certificate_number"] == label["fields"]["certificate_number"]


def test_a_tiny_blurred_photo_says_the_number_is_unreadable(credential_samples):
    _, upload, _ = credential_samples["graduation"]
    small = cv2.GaussianBlur(cv2.resize(upload.rgb, (420, 297), interpolation=cv2.INTER_AREA), (0, 0), 2.5)
    record = extract_credential(load_upload(jpeg_bytes(small), filename="small.jpg"))
    assert "PHOTO_TOO_SMALL" in record.warning_codes or "PHOTO_BLURRY_NUMBER" in record.warning_codes
    assert any("too small" in w or "too blurry to read the certificate number" in w for w in record.warnings)


@pytest.mark.parametrize("data, words", [
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n", "PDF"),
    (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64, "HEIC"),
])
def test_pdf_and_heic_files_are_refused_with_a_sentence(data, words):
    with pytest.raises(UnsupportedFileError, match=words):
        load_upload(data, filename="upload")


def test_a_truncated_jpeg_is_refused_with_a_sentence(credential_samples):
    _, upload, _ = credential_samples["award"]
    data = jpeg_bytes(upload.rgb)
    with pytest.raises(UnsupportedFileError) as error:
        load_upload(data[: len(data) // 3], filename="cut.jpg")
    assert "cut off" in str(error.value) or "could not be read" in str(error.value)
