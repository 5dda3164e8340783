"""Upload checks run before the pipeline: too many files, too large, not an image by its bytes."""
from __future__ import annotations

import io

from PIL import Image

from credlift.ui.web.uploads import check_uploads, sniff_kind


def _jpeg(path, size=(64, 48)):
    buffer = io.BytesIO()
    Image.new("RGB", size, "white").save(buffer, format="JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def test_a_real_jpeg_is_accepted_with_its_bytes(tmp_path):
    photo = _jpeg(tmp_path / "cet6.jpg")
    check = check_uploads([photo], "en", max_upload_mb=20, max_files=3)
    assert check.problems == []
    assert [(f.filename, f.kind) for f in check.accepted] == [("cet6.jpg", "image/jpeg")]
    assert check.as_service_files() == [("cet6.jpg", photo.read_bytes())]


def test_an_exe_renamed_jpg_is_refused_by_its_magic_bytes(tmp_path):
    fake = tmp_path / "certificate.jpg"
    fake.write_bytes(b"MZ\x90\x00" + b"\x00" * 4096)
    check = check_uploads([fake], "en", max_upload_mb=20, max_files=3)
    assert check.accepted == []
    assert "certificate.jpg is not a photo we can read" in check.problems[0]
    assert "Windows program" in check.problems[0]


def test_a_file_above_the_size_limit_is_refused_without_reading_it(tmp_path):
    big = tmp_path / "huge.jpg"
    with big.open("wb") as handle:  # sparse: the size is on disk, the check must not read it
        handle.write(b"\xff\xd8\xff\xe0")
        handle.seek(60 * 1024 * 1024)
        handle.write(b"\xff\xd9")
    check = check_uploads([big], "zh", max_upload_mb=20, max_files=3)
    assert check.accepted == []
    assert "60 MB" in check.problems[0] and "20 MB" in check.problems[0]


def test_more_files_than_allowed_in_one_message_are_all_refused_with_the_count(tmp_path):
    photos = [_jpeg(tmp_path / f"p{i}.jpg") for i in range(10)]
    check = check_uploads(photos, "en", max_upload_mb=20, max_files=3)
    assert check.accepted == []
    assert check.problems == [
        "Please send at most 3 files in one message (you sent 10). Nothing was analysed; send them again in smaller groups."]


def test_heic_pdf_and_empty_files_get_their_own_advice(tmp_path):
    heic = tmp_path / "IMG_0001.HEIC"
    heic.write_bytes(b"\x00\x00\x00\x18ftypheic" + b"\x00" * 64)
    pdf = tmp_path / "scan.pdf"
    pdf.write_bytes(b"%PDF-1.7\n" + b"0" * 64)
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    check = check_uploads([heic, pdf, empty], "en", max_upload_mb=20, max_files=3)
    assert [f.filename for f in check.accepted] == ["scan.pdf"]  # a PDF goes on to intake, which reads its first page
    assert "HEIC" in check.problems[0] and "Most Compatible" in check.problems[0]
    assert "is empty" in check.problems[1]


def test_good_files_pass_while_bad_ones_next_to_them_are_reported(tmp_path):
    good = _jpeg(tmp_path / "good.jpg")
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    check = check_uploads([good, bad], "zh", max_upload_mb=20, max_files=3)
    assert [f.filename for f in check.accepted] == ["good.jpg"]
    assert "ZIP 压缩包" in check.problems[0]


def test_image_formats_are_recognised_from_their_first_bytes():
    assert sniff_kind(b"\x89PNG\r\n\x1a\n" + b"\x00" * 8) == "image/png"
    assert sniff_kind(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "image/webp"
    assert sniff_kind(b"RIFF\x00\x00\x00\x00AVI LIST") == "some other kind of file"
    assert sniff_kind(b"\x00\x00\x00\x1cftypavif\x00\x00") == "heif"
