"""Intake: turn uploaded bytes into an image every later step can analyse, or a sentence saying why not.

Checks run cheapest first and cost nothing before they pass: a file is stat'ed (a regular file, its size) and read
with a cap; the bytes' signature is sniffed; the image header gives the pixel count, bit depth and frame count,
checked against a decode budget before any pixel is decoded (`precheck`); one decode at a time per process.
A refused file is never stored. Nothing here trusts the file name's extension.
"""
from __future__ import annotations

import hashlib
import io
import os
import stat
import threading
import warnings
from pathlib import Path

import numpy as np
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError
from pydantic import BaseModel, ConfigDict, Field

from credlift.errors import UnsupportedFileError
from credlift.settings import get_settings

MAX_ANALYSED_SIDE = 3000
MIN_SIDE = 32
# Memory one decode may take, counted from the header: pixels x bytes per pixel as decoded and converted
# (16-bit and float modes are converted through float32 arrays). About 4x the budget is the peak of one decode
# (decoded frame, RGB copy, resize), which keeps one decode under 600 MB of process memory.
MAX_DECODE_BYTES = 120 * 1024 * 1024  # 40 megapixels of RGB; a 7745x7745 16-bit PNG needs 690 MB
_BYTES_PER_PIXEL = {"1": 1, "L": 1, "P": 4, "LA": 8, "PA": 8, "RGB": 3, "RGBA": 8, "CMYK": 7, "YCbCr": 3, "LAB": 3,
                    "HSV": 3, "I;16": 12, "I;16B": 12, "I;16L": 12, "I;16N": 12, "I": 16, "F": 16}
_DECODE_SLOT = threading.BoundedSemaphore(1)  # one decode at a time per worker process
SUPPORTED_FORMATS = {"JPEG", "PNG", "GIF", "WEBP", "BMP", "TIFF", "MPO"}

# The one file sniffer (the web app's upload check and intake both read it). (prefix, offset, kind); kinds starting
# with "image/" may be images, every other kind is a plain description.
_SIGNATURES: tuple[tuple[bytes, int, str], ...] = (
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"WEBP", 8, "image/webp"),
    (b"GIF87a", 0, "image/gif"),
    (b"GIF89a", 0, "image/gif"),
    (b"BM", 0, "image/bmp"),
    (b"II*\x00", 0, "image/tiff"),
    (b"MM\x00*", 0, "image/tiff"),
    (b"%PDF", 0, "pdf"),
    (b"MZ", 0, "a Windows program"),
    (b"\x7fELF", 0, "a Linux program"),
    (b"PK\x03\x04", 0, "a ZIP archive"),
    (b"Rar!", 0, "a RAR archive"),
    (b"#!", 0, "a script"),
)
_HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"avif")
# kinds intake refuses before decoding, in the words of its message
_REFUSED_KINDS = {"heif": "an HEIC/HEIF photo", "a Windows program": "a Windows program",
                  "a ZIP archive": "a ZIP archive or Office document", "a Linux program": "a program"}
_EXTENSIONS = {"JPEG": "jpg", "MPO": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp", "BMP": "bmp", "TIFF": "tif",
               "PDF": "pdf"}


def sniff_kind(head: bytes) -> str:
    """The file's kind from its first bytes (32 are enough): 'image/<format>', 'heif', 'pdf' (accepted: its first
    page is rendered, tools/pdf_pages.py), or a plain description such as 'a ZIP archive'."""
    if len(head) >= 12 and head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return "heif"
    for prefix, offset, kind in _SIGNATURES:
        if head[offset:offset + len(prefix)] == prefix:
            if kind == "image/webp" and head[:4] != b"RIFF":
                continue
            return kind
    return "some other kind of file"


class UploadedImage(BaseModel):
    """An upload that decoded to an image. `rgb` is what every analysis step looks at."""
    model_config = ConfigDict(arbitrary_types_allowed=True)

    sha256: str
    filename: str = ""
    original_bytes: bytes = Field(repr=False)
    format: str
    rgb: np.ndarray = Field(repr=False, description="H x W x 3 uint8 RGB, EXIF orientation applied")
    scale: float = Field(description="analysed size / original size")
    original_size: tuple[int, int]
    exif: dict[str, str] = Field(default_factory=dict)
    info: dict[str, str] = Field(default_factory=dict, description="PNG text chunks, XMP, ICC presence, ...")

    @property
    def size(self) -> tuple[int, int]:
        return int(self.rgb.shape[1]), int(self.rgb.shape[0])


def sniff_unsupported(data: bytes) -> str | None:
    """What a non-image file is, in words, or None when it may be an image."""
    return _REFUSED_KINDS.get(sniff_kind(data[:32]))


def load_upload(source: Path | bytes, filename: str | None = None) -> UploadedImage:
    """Reads and checks one upload. Raises UnsupportedFileError with a sentence a person can act on."""
    settings = get_settings()
    if isinstance(source, (str, Path)):
        path = Path(source)
        filename = filename or path.name
        data = read_capped(path)
        from credlift.crypto import cipher_for_dir, is_sealed, open_file_bytes, store_dir_of

        if is_sealed(data):  # a stored upload (store_bytes seals what it keeps)
            data = open_file_bytes(cipher_for_dir(store_dir_of(path)), data)
    else:
        data = bytes(source)
    filename = filename or "upload"
    precheck(data, filename)
    with _DECODE_SLOT:
        return _decode(data, filename, settings.max_image_pixels)


def read_capped(path: Path) -> bytes:
    """The bytes of a regular file, refused before reading when stat says it is not one or is too large, and read
    with a cap (a file that grows while read is refused too)."""
    from credlift.crypto import SEALED_FILE_OVERHEAD

    # a stored upload is the accepted file plus the few bytes sealing adds
    limit = int(get_settings().max_upload_mb * 1024 * 1024) + SEALED_FILE_OVERHEAD
    path = Path(path)
    try:
        info = os.stat(path)  # follows a symbolic link: what counts is what it points to
    except FileNotFoundError:
        raise UnsupportedFileError("missing", name=path.name) from None
    except OSError as error:
        raise UnsupportedFileError("cannot_open", name=path.name, reason=error.strerror or "error") from None
    if not stat.S_ISREG(info.st_mode):
        kind = ("a folder" if stat.S_ISDIR(info.st_mode) else "a pipe (FIFO)" if stat.S_ISFIFO(info.st_mode) else
                "a device" if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode) else
                "a socket" if stat.S_ISSOCK(info.st_mode) else "a special file")
        raise UnsupportedFileError("not_regular", name=path.name, kind=kind, kind_zh=_KIND_ZH.get(kind, "特殊文件"))
    if info.st_size > limit:
        raise _too_large(info.st_size, limit / 1024 / 1024)
    try:
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as error:
        raise UnsupportedFileError("cannot_read", name=path.name, reason=error.strerror or "error") from None
    if len(data) > limit:
        raise _too_large(len(data), limit / 1024 / 1024)
    return data


def precheck(data: bytes, filename: str = "upload") -> None:
    """Everything that can be known without decoding pixels: empty, size, signature, and from the image header
    the format, dimensions, bit depth and frames against the pixel and memory budgets. Raises
    UnsupportedFileError with a sentence; returns when the file may be decoded."""
    settings = get_settings()
    if not data:
        raise UnsupportedFileError("empty", name=filename)
    if len(data) > settings.max_upload_mb * 1024 * 1024:
        raise _too_large(len(data), settings.max_upload_mb)
    if sniff_kind(data[:32]) == "pdf":  # opened, not rendered: encrypted, damaged or empty is said here
        from credlift.tools.pdf_pages import check_pdf

        check_pdf(data, filename)
        return
    what = sniff_unsupported(data)
    if what == "an HEIC/HEIF photo":
        raise UnsupportedFileError("heif", name=filename)
    if what:
        raise UnsupportedFileError("not_a_photo", name=filename, what=what)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # the budgets below say it with numbers
            with Image.open(io.BytesIO(data)) as image:  # reads the header only
                image_format, mode, (width, height) = image.format or "unknown", image.mode, image.size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UnsupportedFileError("bomb") from None
    except UnidentifiedImageError:
        raise UnsupportedFileError("not_an_image", name=filename) from None
    except Exception:  # a header Pillow cannot parse (truncated, malformed)
        raise UnsupportedFileError("unreadable_image", name=filename) from None
    if image_format not in SUPPORTED_FORMATS:
        raise UnsupportedFileError("format", name=filename, format=image_format)
    pixels = width * height
    if pixels > settings.max_image_pixels:
        raise _too_many_pixels(width, height, settings.max_image_pixels)
    if min(width, height) < MIN_SIDE:
        raise UnsupportedFileError("too_small", width=width, height=height)
    per_pixel = _BYTES_PER_PIXEL.get(mode, 16)
    if image_format == "JPEG" and max(width, height) > 2 * MAX_ANALYSED_SIDE:
        per_pixel = per_pixel / _jpeg_draft_scale(width, height) ** 2  # decoded in draft mode at 1/2 .. 1/8
    if pixels * per_pixel > MAX_DECODE_BYTES:
        sixteen_bit = mode.startswith("I") or mode == "F"
        raise UnsupportedFileError("decode_budget_16bit" if sixteen_bit else "decode_budget", width=width, height=height)


def _jpeg_draft_scale(width: int, height: int) -> int:
    """The reduction Pillow's JPEG draft mode applies for a (MAX_ANALYSED_SIDE, MAX_ANALYSED_SIDE) request."""
    scale = min(width // MAX_ANALYSED_SIDE, height // MAX_ANALYSED_SIDE)
    return next((s for s in (8, 4, 2) if scale >= s), 1)


def _too_large(size: int, limit_mb: float) -> UnsupportedFileError:
    return UnsupportedFileError("too_large", size_mb=size / 1024 / 1024, limit_mb=limit_mb)


def _too_many_pixels(width: int, height: int, limit: int) -> UnsupportedFileError:
    return UnsupportedFileError("too_many_pixels", width=width, height=height, megapixels=width * height / 1e6,
                                limit_mp=limit / 1e6)


_KIND_ZH = {"a folder": "是一个文件夹", "a pipe (FIFO)": "是一个管道 FIFO", "a device": "是一个设备文件", "a socket": "是一个套接字"}


def _decode(data: bytes, filename: str, max_pixels: int) -> UploadedImage:
    if sniff_kind(data[:32]) == "pdf":
        return _render_pdf(data, filename)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            image_format = image.format or "unknown"
            if image_format not in SUPPORTED_FORMATS:
                raise UnsupportedFileError("format", name=filename, format=image_format)
            width, height = image.size
            if width * height > max_pixels:
                raise _too_many_pixels(width, height, max_pixels)
            if min(width, height) < MIN_SIDE:
                raise UnsupportedFileError("too_small", width=width, height=height)
            exif = _exif_text(image)
            info = _info_text(image)
            if image_format == "JPEG" and max(width, height) > 2 * MAX_ANALYSED_SIDE:
                image.draft("RGB", (MAX_ANALYSED_SIDE, MAX_ANALYSED_SIDE))  # decode big JPEGs at 1/2..1/8 scale: fast, same content
            image.load()
            image = ImageOps.exif_transpose(image)
            rgb = _to_rgb(image)
    except UnsupportedFileError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UnsupportedFileError("bomb") from None
    except UnidentifiedImageError:
        raise UnsupportedFileError("not_an_image", name=filename) from None
    except (OSError, SyntaxError, ValueError) as error:
        if "truncated" in str(error).lower() or "premature" in str(error).lower() or "broken" in str(error).lower():
            raise UnsupportedFileError("truncated", name=filename) from None
        raise UnsupportedFileError("unreadable_image", name=filename) from None

    long_side = max(rgb.shape[:2])
    if long_side > MAX_ANALYSED_SIDE:
        import cv2

        factor = MAX_ANALYSED_SIDE / long_side
        rgb = cv2.resize(rgb, (round(rgb.shape[1] * factor), round(rgb.shape[0] * factor)), interpolation=cv2.INTER_AREA)
    scale = max(rgb.shape[:2]) / max(width, height)  # orientation-independent
    return UploadedImage(
        sha256=hashlib.sha256(data).hexdigest(),
        filename=filename,
        original_bytes=data,
        format=image_format,
        rgb=np.ascontiguousarray(rgb),
        scale=round(float(scale), 6),
        original_size=(width, height),
        exif=exif,
        info=info,
    )


def _render_pdf(data: bytes, filename: str) -> UploadedImage:
    """A PDF upload: its first page, rendered at a fixed long side (the original is the PDF, kept as received)."""
    from credlift.tools.pdf_pages import render_first_page

    rgb, metadata = render_first_page(data, filename)
    if min(rgb.shape[:2]) < MIN_SIDE:
        raise UnsupportedFileError("too_small", width=int(rgb.shape[1]), height=int(rgb.shape[0]))
    return UploadedImage(sha256=hashlib.sha256(data).hexdigest(), filename=filename, original_bytes=data,
                         format="PDF", rgb=rgb, scale=1.0, original_size=(int(rgb.shape[1]), int(rgb.shape[0])),
                         exif={}, info=metadata)


def _to_rgb(image: Image.Image) -> np.ndarray:
    """Any mode (CMYK, 16-bit, palette, alpha) to 8-bit RGB; transparency composited onto white paper."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        array = np.asarray(image, dtype=np.float32)
        peak = array.max() or 1.0
        gray = (array / (65535.0 if peak > 255 else 255.0) * 255.0).clip(0, 255).astype(np.uint8)
        del array
        return np.stack([gray] * 3, axis=-1)
    if image.mode == "F":
        gray = np.asarray(image, dtype=np.float32)
        gray = ((gray - gray.min()) / (np.ptp(gray) or 1.0) * 255).astype(np.uint8)
        return np.stack([gray] * 3, axis=-1)
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return np.asarray(Image.alpha_composite(paper, rgba).convert("RGB"))
    return np.asarray(image.convert("RGB"))


def _exif_text(image: Image.Image) -> dict[str, str]:
    try:
        raw = image.getexif()
    except Exception:  # a broken EXIF block is not a reason to refuse the photo
        return {}
    tags: dict[str, str] = {}
    for tag_id, value in raw.items():
        name = ExifTags.TAGS.get(tag_id, str(tag_id))
        tags[name] = _as_text(value)
    try:
        for tag_id, value in raw.get_ifd(ExifTags.IFD.Exif).items():
            tags[ExifTags.TAGS.get(tag_id, str(tag_id))] = _as_text(value)
    except Exception:  # same: EXIF sub-IFDs are often malformed
        pass
    return tags


def _info_text(image: Image.Image) -> dict[str, str]:
    info: dict[str, str] = {}
    for key, value in getattr(image, "text", {}).items() if hasattr(image, "text") else []:
        info[f"text:{key}"] = _as_text(value)
    for key, value in image.info.items():
        if key in ("exif", "icc_profile"):
            info[key] = f"<{len(value)} bytes>" if isinstance(value, (bytes, bytearray)) else _as_text(value)
        elif isinstance(value, (str, bytes, int, float)):
            info.setdefault(key, _as_text(value))
    return info


def _as_text(value: object, limit: int = 2000) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    return str(value)[:limit].replace("\x00", "")


def store_upload(upload: UploadedImage, data_dir: Path) -> Path:
    """Stores the original bytes by content hash (uploads are kept as received; the same file is stored once)."""
    return store_bytes(upload.original_bytes, data_dir, upload.sha256, _EXTENSIONS.get(upload.format, "bin"))


def store_bytes(data: bytes, data_dir: Path, sha256: str | None = None, extension: str | None = None) -> Path:
    """The one store: `data_dir/uploads/<sha[:2]>/<sha>.<ext>`, written once, encrypted with the data key. The extension is the sniffed
    format's when not given (what decoding would name it), so a file stored before decoding keeps its path."""
    sha256 = sha256 or hashlib.sha256(data).hexdigest()
    if extension is None:
        kind = sniff_kind(data[:32])
        extension = ("pdf" if kind == "pdf" else
                     _EXTENSIONS.get(kind.removeprefix("image/").upper(), "bin") if kind.startswith("image/") else "bin")
    directory = Path(data_dir) / "uploads" / sha256[:2]
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{sha256}.{extension}"
    if not path.exists():
        from credlift.crypto import cipher_for_dir, seal_file_bytes

        # sealed at rest (credlift/crypto.py): a certificate photo is personal data; load_upload opens it
        path.write_bytes(seal_file_bytes(cipher_for_dir(Path(data_dir)), data))
    return path
