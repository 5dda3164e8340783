"""Hostile upload files, generated on demand (nothing stored in the repo): decompression bombs, 16-bit PNGs,
truncated and polyglot files, zero-byte files, a FIFO, symbolic links, wrong extensions, huge dimensions in the
header, random bytes behind image signatures, many frames, an oversized file. `make_hostile_files(directory)`
writes them and returns (path, kind) pairs."""
from __future__ import annotations

import io
import os
import random
import struct
import zlib
from pathlib import Path

from PIL import Image


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png(width: int, height: int, bit_depth: int = 8, colour: int = 0, rows: int | None = None) -> bytes:
    """A PNG whose header claims width x height; `rows` rows of zeros are really compressed (None: all)."""
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[colour]
    row_bytes = 1 + (width * channels * bit_depth + 7) // 8
    total = row_bytes * (height if rows is None else rows)
    total = total if rows is None else min(total, 4096)  # a bomb's header lies; its data may be short
    compressor = zlib.compressobj(1)
    block = bytes(min(total, 1 << 20))
    parts, left = [], total
    while left > 0:
        parts.append(compressor.compress(block[:min(left, len(block))]))
        left -= len(block)
    body = b"".join(parts) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, bit_depth, colour, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", body) + _chunk(b"IEND", b"")


def _jpeg(size=(400, 300), mode="RGB", quality=85) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, 128 if mode == "L" else (200, 180, 160) if mode == "RGB" else (10, 20, 30, 40)).save(
        buffer, format="JPEG", quality=quality)
    return buffer.getvalue()


def _saved(image: Image.Image, fmt: str, **kwargs) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **kwargs)
    return buffer.getvalue()


def _jpeg_with_size(width: int, height: int) -> bytes:
    data = bytearray(_jpeg())
    index = data.index(b"\xff\xc0")
    struct.pack_into(">HH", data, index + 5, height, width)
    return bytes(data)


def make_hostile_files(directory: Path, seed: int = 7, oversize_mb: float = 25.0) -> list[tuple[Path, str]]:
    directory.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    files: list[tuple[Path, str]] = []

    def put(name: str, data: bytes, kind: str) -> None:
        path = directory / name
        path.write_bytes(data)
        files.append((path, kind))

    good_jpeg, good_png = _jpeg((900, 700)), _saved(Image.new("RGB", (900, 700), (240, 240, 230)), "PNG")
    put("zero.jpg", b"", "zero-byte")
    put("zero.png", b"", "zero-byte")
    fifo = directory / "pipe.jpg"
    os.mkfifo(fifo)
    files.append((fifo, "fifo"))
    for name, target in (("to-fifo.jpg", fifo), ("to-dev-zero.jpg", Path("/dev/zero")),
                         ("to-dev-null.png", Path("/dev/null")), ("dangling.jpg", directory / "missing.jpg"),
                         ("to-directory.png", directory)):
        (directory / name).symlink_to(target)
        files.append((directory / name, "symlink"))
    (directory / "folder.jpg").mkdir()
    files.append((directory / "folder.jpg", "directory"))
    with open(directory / "oversize.jpg", "wb") as handle:  # sparse: costs no disk
        handle.write(good_jpeg)
        handle.truncate(int(oversize_mb * 1024 * 1024))
    files.append((directory / "oversize.jpg", "oversize"))
    for index in range(60):
        source = good_jpeg if index % 2 else good_png
        cut = max(1, int(len(source) * (index + 1) / 62))
        put(f"truncated-{index}.{'jpg' if index % 2 else 'png'}", source[:cut], "truncated")
    for index, (prefix, ext) in enumerate([(b"%PDF-1.7\n", "jpg"), (b"PK\x03\x04", "png"), (b"\x7fELF\x02\x01", "jpg"),
                                           (b"MZ\x90\x00", "png"), (b"<html><script>", "jpg"),
                                           (b"\x00\x00\x00\x20ftypheic", "jpg"), (b"#!/bin/sh\n", "png"),
                                           (b"RIFF\x00\x00\x00\x00WAVE", "jpg"), (b"{\"a\": 1}", "png"),
                                           (b"\x1f\x8b\x08\x00", "jpg")] * 2):
        put(f"wrong-ext-{index}.{ext}", prefix + bytes(rng.getrandbits(8) for _ in range(2000)), "wrong-extension")
    polyglots = [good_jpeg + b"PK\x03\x04" + bytes(500), b"%PDF-1.4\n" + good_png, good_png + b"<script>x</script>",
                 b"GIF89a/*" + bytes(100) + b"*/=1;alert(1)", good_jpeg + good_png, good_png + b"%PDF-1.4",
                 good_jpeg[:200] + good_png, b"\xff\xd8\xff" + good_png, b"\x89PNG\r\n\x1a\n" + good_jpeg,
                 good_jpeg + zlib.compress(bytes(10_000_000))]
    for index, data in enumerate(polyglots):
        put(f"polyglot-{index}.jpg", data, "polyglot")
    for index, (width, height, depth, colour) in enumerate([
            (100_000, 100_000, 8, 0), (65_535, 65_535, 1, 0), (50_000, 50_000, 8, 2), (30_000, 30_000, 8, 6),
            (200_000, 10, 8, 0), (10, 200_000, 8, 0), (20_000, 20_000, 1, 0), (12_000, 12_000, 8, 2),
            (9_000, 9_000, 8, 6), (2**31 - 1, 1, 8, 0), (1, 2**31 - 1, 8, 0), (40_000, 40_000, 16, 0),
            (16_000, 16_000, 8, 4), (8_000, 8_000, 8, 6), (25_000, 25_000, 8, 3)]):
        put(f"bomb-{index}.png", png(width, height, depth, colour, rows=4), "bomb")
    for index, (side, colour) in enumerate([(7745, 0), (7745, 0), (6000, 0), (5000, 2), (4000, 6), (7000, 4)]):
        put(f"sixteen-bit-{index}.png", png(side, side, 16, colour, rows=min(side, 64)), "16-bit")
    put("sixteen-bit-7745-full.png", png(7745, 7745, 16, 0), "16-bit")
    for index, (width, height) in enumerate([(65_000, 65_000), (60_000, 1_000), (1_000, 60_000), (20_000, 20_000),
                                             (10_000, 9_000)]):
        put(f"huge-sof-{index}.jpg", _jpeg_with_size(width, height), "huge-dimensions")
    gif = bytearray(_saved(Image.new("P", (64, 64)), "GIF"))
    for index, (width, height) in enumerate([(65_535, 65_535), (65_535, 1), (40_000, 40_000)]):
        data = bytearray(gif)
        struct.pack_into("<HH", data, 6, width, height)
        put(f"huge-gif-{index}.gif", bytes(data), "huge-dimensions")
    bmp = bytearray(_saved(Image.new("RGB", (64, 64)), "BMP"))
    for index, (width, height) in enumerate([(100_000, 100_000), (30_000, -30_000), (2**30, 2)]):
        data = bytearray(bmp)
        struct.pack_into("<ii", data, 18, width, height)
        put(f"huge-bmp-{index}.bmp", bytes(data), "huge-dimensions")
    for index in range(30):
        put(f"random-{index}.jpg", bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 5000))), "random")
    for index in range(30):
        put(f"jpeg-magic-{index}.jpg", b"\xff\xd8\xff\xe0" + bytes(rng.getrandbits(8) for _ in range(rng.randint(10, 5000))),
            "random-with-signature")
    for index in range(30):
        put(f"png-magic-{index}.png", b"\x89PNG\r\n\x1a\n" + bytes(rng.getrandbits(8) for _ in range(rng.randint(10, 5000))),
            "random-with-signature")
    for index, magic in enumerate([b"GIF89a", b"RIFF\x10\x00\x00\x00WEBPVP8 ", b"II*\x00", b"MM\x00*", b"BM"] * 4):
        put(f"other-magic-{index}.jpg", magic + bytes(rng.getrandbits(8) for _ in range(rng.randint(10, 3000))),
            "random-with-signature")
    frames = [Image.new("P", (600, 400), index % 255) for index in range(300)]
    put("many-frames.gif", _saved(frames[0], "GIF", save_all=True, append_images=frames[1:]), "multi-frame")
    put("many-pages.tif", _saved(frames[0].convert("L"), "TIFF", save_all=True, append_images=[f.convert("L") for f in frames[1:50]]),
        "multi-frame")
    for index, mode in enumerate(["CMYK", "L", "LA", "P", "1"]):
        image = Image.new(mode, (640, 480))
        put(f"odd-mode-{index}.{'jpg' if mode in ('CMYK', 'L') else 'png'}",
            _saved(image, "JPEG" if mode in ("CMYK", "L") else "PNG"), "odd-mode")
    return files
