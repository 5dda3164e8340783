"""Does a tile classifier learnt on REAL untouched pages (with edits made here) tell real edits from their twins?

A probe outside the product (issue 24). Training pages are real document images from public repositories that do
not feed the real development set (`evals/realset/train_manifest.json`: repository, commit, path, sha256, licence;
read from fetched snapshots under `--mirror-root`, every sha256 checked, nothing written to git). On each page this
script finds words and lines by morphology (no OCR) and makes edits as forgers make them, with code of its own (it
does not import `evals.realset.build`, whose edits are the ones measured): retype a word as digits or letters in a
size-matched system font (DejaVu / Liberation / Noto, ink colour picked from the word, optional blur), erase a word
and fill it (cv2.inpaint Telea or Navier-Stokes, paper cloned from a blank part of the page, or a colour picked from
the paper with or without noise), paste a word cut from elsewhere on the page over a word of similar height. Each
edit is made BEFORE one capture chain (crop 0-7 px, optional area resize 0.55-0.95, JPEG at 60-95), and the untouched
page goes through the same chain (quality-matched twin).

Features: the page is cut into tiles sized by its text height (2 x 3.5 text heights, half-tile stride); per tile 15
statistics of the paper around the ink and of the ink (background residual noise and its lag-1 correlation, white
clipping, flat runs, chroma noise, 8x8 blockiness, paper level and spread, ink share, darkness, edge sharpness,
Laplacian energy), each raw, as a robust z against the page's tiles and as a difference to the median of its 3x5
neighbours (45 features). A scikit-learn HistGradientBoostingClassifier learns "tile overlaps an edit" against
tiles of the same pages away from the edit and the twin's tile at the same place; with `--hard` it is fitted again
with the top 3% tiles of one untouched capture per page added as negatives (a page score is a maximum over
thousands of tiles). A page's score is its highest tile probability (mean of the top 2).

Measures: grouped cross-validation on the training pages (by source), then ROC-AUC on the real set's
quality-matched pairs (edited vs its twin), dev and holdout apart, per source and edit kind; the oracle check (the
highest tile over the labelled box vs the same place on the twin); the share of the real set's
untouched pages over the cut at which 10% / 2% of dev untouched pages are over; ROC-AUC on generated pages.

The repositories are brought by `fetch github:<repo>` (snapshots under /work/.mirror/<owner>+<name>/repo).

    nice -n 19 .venv/bin/python scripts/probe_learned_tiles.py --write-manifest      # once, after a fetch
    nice -n 19 .venv/bin/python scripts/probe_learned_tiles.py --hard --real /work/cache/real/devset2 \
        --generated /work/cache/gen-9602 --work /work/cache/real3/hard
"""
from __future__ import annotations

import argparse
import hashlib
import io
import json
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont, ImageOps

MANIFEST = Path(__file__).resolve().parents[1] / "evals" / "realset" / "train_manifest.json"
LONG_SIDE = 2000  # pages are read at most this size (area resampling), edits and features alike
FONTS = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationMono-Regular.ttf",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
]
FONTS = [f for f in FONTS if Path(f).exists()]

# ------------------------------------------------------------------------------------------------ sources
# (repository, path, licence); the commit is the snapshot's HEAD when --write-manifest runs.
CANDIDATES = {
    "aws-samples/amazon-textract-textractor": ("Apache-2.0", [
        "caller/tests/data/driverlicense.png", "caller/tests/data/employmentapp.png",
        "caller/tests/data/verification-of-employment.png", "tests/fixtures/fake_id.png", "tests/fixtures/form.png",
        "tests/fixtures/in-table-title.png", "tests/fixtures/multiline_cells.jpeg",
        "tests/fixtures/patient_intake_form_sample.png", "tests/fixtures/paystub.jpg",
        "tests/fixtures/paystub_tables.png", "tests/fixtures/receipt.jpg", "tests/fixtures/receipt_no_summary.png",
        "tests/fixtures/resume.png", "tests/fixtures/signature.jpg", "tests/fixtures/single-page-1.png",
        "tests/fixtures/single-page-2.png", "tests/fixtures/test.png", "tests/fixtures/amzn_q2.png",
        "tests/fixtures/matrix.png", "tpipelinepagedimensions/tests/data/Textract-orginal-2021-05-10.png"]),
    "aws-samples/amazon-textract-code-samples": ("MIT-0", [
        "python/expense.png", "python/medical-notes.png", "python/extraction-parsers/samples/CMS1500-sample.png",
        "python/extraction-parsers/samples/ub-04-Form-sample.png", "python/queries/insurance-card.png",
        "python/queries/mortgage-note.jpg", "python/queries/paystub.jpg", "python/queries/vaccination.png",
        "python/simple-document-image.jpg", "python/two-column-image.jpg", "python/patient_intake_form_sample.jpg"]),
    "ocrmypdf/OCRmyPDF": ("MPL-2.0", [
        "tests/resources/baiona.png", "tests/resources/linn.png", "tests/resources/typewriter.png",
        "tests/resources/baiona_color.jpg", "tests/resources/c02-22.pdf", "tests/resources/skew.pdf",
        "tests/resources/cardinal.pdf", "tests/resources/lichtenstein.pdf", "tests/resources/epson.pdf",
        "tests/resources/francais.pdf", "tests/resources/2400dpi.pdf", "tests/resources/poster.pdf",
        "tests/resources/multipage.pdf", "tests/resources/ccitt.pdf", "tests/resources/jbig2.pdf"]),
    "naptha/tesseract.js": ("Apache-2.0", [
        "benchmarks/data/meditations.jpg", "benchmarks/data/tyger.jpg", "tests/assets/images/bill.png",
        "tests/assets/images/testocr.png", "tests/assets/images/cosmic.png"]),
    "RapidAI/RapidOCR": ("Apache-2.0", [
        "python/tests/test_files/ch_en_num.jpg", "python/tests/test_files/en.jpg",
        "python/tests/test_files/japan.jpg", "python/tests/test_files/latin.jpg",
        "python/tests/test_files/text_vertical_words.png", "python/tests/test_files/test_letterbox_like.jpg"]),
}


def git_bytes(mirror_root: Path, repo: str, commit: str, path: str) -> bytes:
    git_dir = mirror_root / repo.replace("/", "+") / "repo"
    return subprocess.run(["git", "--git-dir", str(git_dir), "show", f"{commit}:{path}"], check=True,
                          capture_output=True).stdout


def write_manifest(mirror_root: Path) -> None:
    files, seen = [], set()
    for repo, (licence, paths) in CANDIDATES.items():
        git_dir = mirror_root / repo.replace("/", "+") / "repo"
        commit = subprocess.run(["git", "--git-dir", str(git_dir), "rev-parse", "HEAD"], check=True,
                                capture_output=True, text=True).stdout.strip()
        for path in paths:
            data = git_bytes(mirror_root, repo, commit, path)
            digest = hashlib.sha256(data).hexdigest()
            if digest in seen:
                continue
            seen.add(digest)
            files.append({"repo": repo, "commit": commit, "path": path, "sha256": digest, "licence": licence})
    MANIFEST.write_text(json.dumps({"about": "Real untouched training pages for scripts/probe_learned_tiles.py; "
                                    "none of these repositories feeds evals/realset/manifest.json. Images are "
                                    "read from fetched snapshots, never committed.", "files": files}, indent=1)
                        + "\n")
    print(f"wrote {MANIFEST}: {len(files)} files")


def decode_pages(data: bytes, path: str) -> list[np.ndarray]:
    """RGB pages of a file: an image, or a PDF's pages rendered at 200 dpi (pypdfium2), at most 3."""
    if path.lower().endswith(".pdf"):
        import pypdfium2

        pdf = pypdfium2.PdfDocument(data)
        pages = [np.asarray(pdf[i].render(scale=200 / 72).to_pil().convert("RGB")) for i in range(min(3, len(pdf)))]
        return pages
    with Image.open(io.BytesIO(data)) as image:
        image = ImageOps.exif_transpose(image)
        return [np.asarray(image.convert("RGB"))]


def training_pages(mirror_root: Path) -> list[tuple[str, str, np.ndarray]]:
    manifest = json.loads(MANIFEST.read_text())
    out = []
    for entry in manifest["files"]:
        try:
            data = git_bytes(mirror_root, entry["repo"], entry["commit"], entry["path"])
        except subprocess.CalledProcessError:
            print(f"missing: {entry['repo']}:{entry['path']}", file=sys.stderr)
            continue
        if hashlib.sha256(data).hexdigest() != entry["sha256"]:
            print(f"sha256 differs, skipped: {entry['repo']}:{entry['path']}", file=sys.stderr)
            continue
        for i, page in enumerate(decode_pages(data, entry["path"])):
            if min(page.shape[:2]) < 150:  # a banner or a word, not a page
                continue
            out.append((entry["repo"], f"{entry['path']}#{i}", limit(page)))
    return out


def limit(rgb: np.ndarray) -> np.ndarray:
    h, w = rgb.shape[:2]
    scale = LONG_SIDE / max(h, w)
    if scale < 1:
        rgb = cv2.resize(rgb, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(rgb)


# ------------------------------------------------------------------------------------------------ words, edits
def luma(rgb: np.ndarray) -> np.ndarray:
    return (0.299 * rgb[..., 0] + 0.587 * rgb[..., 1] + 0.114 * rgb[..., 2]).astype(np.float32)


def ink_mask(y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(ink, paper estimate): ink is 25+ grey levels under the local paper (a 15 px grey closing)."""
    paper = cv2.morphologyEx(y, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (15, 15)))
    return (paper - y) > 25, paper


def text_height(ink: np.ndarray) -> float:
    n, _, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    hs = stats[1:, cv2.CC_STAT_HEIGHT]
    ws = stats[1:, cv2.CC_STAT_WIDTH]
    keep = (hs >= 5) & (hs <= 120) & (ws <= 4 * hs)
    return float(np.median(hs[keep])) if keep.sum() >= 10 else 16.0


def words(ink: np.ndarray, h0: float) -> list[tuple[int, int, int, int]]:
    """Word boxes (x, y, w, h): ink closed over a third of a text height horizontally."""
    k = max(3, int(round(h0 * 0.45)))
    closed = cv2.morphologyEx(ink.astype(np.uint8), cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT,
                                                                                               (k, 1)))
    n, _, stats, _ = cv2.connectedComponentsWithStats(closed, connectivity=8)
    out = []
    H, W = ink.shape
    for x, y, w, h, area in stats[1:]:
        if 0.6 * h0 <= h <= 2.2 * h0 and 8 <= h <= 90 and w >= 1.5 * h and w <= 14 * h and x > 2 and y > 2 \
                and x + w < W - 2 and y + h < H - 2:
            out.append((int(x), int(y), int(w), int(h)))
    return out


def _font(size: int, rng) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(FONTS[int(rng.integers(len(FONTS)))], max(6, size))


def _random_text(n: int, rng) -> str:
    alphabet = "0123456789" if rng.random() < 0.6 else "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    return "".join(alphabet[int(rng.integers(len(alphabet)))] for _ in range(max(1, n)))


def _fill(out: np.ndarray, box, ink: np.ndarray, rng, blank: list) -> None:
    """Erase the word in box: inpaint, paper cloned from a blank place, or a picked paper colour (+ noise)."""
    x, y, w, h = box
    pad = max(2, h // 6)
    x0, y0, x1, y1 = max(0, x - pad), max(0, y - pad), min(out.shape[1], x + w + pad), min(out.shape[0], y + h + pad)
    way = rng.choice(["inpaint", "clone", "colour"], p=[0.4, 0.3, 0.3])
    if way == "clone" and blank:
        bx, by = blank[int(rng.integers(len(blank)))]
        if by + (y1 - y0) <= out.shape[0] and bx + (x1 - x0) <= out.shape[1]:
            out[y0:y1, x0:x1] = out[by:by + y1 - y0, bx:bx + x1 - x0]
            return
        way = "inpaint"
    if way == "inpaint" or way == "clone":
        mask = np.zeros(out.shape[:2], np.uint8)
        mask[y0:y1, x0:x1] = cv2.dilate(ink[y0:y1, x0:x1].astype(np.uint8) * 255, np.ones((3, 3), np.uint8), 2)
        flag = cv2.INPAINT_TELEA if rng.random() < 0.5 else cv2.INPAINT_NS
        s0, s1 = max(0, y0 - 3 * h), max(0, x0 - 3 * h)
        sub = out[s0:y1 + 3 * h, s1:x1 + 3 * h]
        out[s0:y1 + 3 * h, s1:x1 + 3 * h] = cv2.inpaint(np.ascontiguousarray(sub),
                                                         mask[s0:y1 + 3 * h, s1:x1 + 3 * h], 3, flag)
        return
    region = out[y0:y1, x0:x1].reshape(-1, 3).astype(np.float32)
    paper = region[~ink[y0:y1, x0:x1].reshape(-1)]
    colour = np.median(paper, axis=0) if len(paper) else np.array([250, 250, 250], np.float32)
    sigma = float(rng.choice([0.0, 0.0, rng.uniform(0.5, 4.0)]))
    patch = colour[None, None, :] + rng.normal(0, sigma, (y1 - y0, x1 - x0, 1)) if sigma else \
        np.broadcast_to(colour, (y1 - y0, x1 - x0, 3))
    out[y0:y1, x0:x1] = np.clip(patch, 0, 255).astype(np.uint8)


def blank_places(ink: np.ndarray, h: int, w: int, rng, n: int = 40) -> list:
    H, W = ink.shape
    ii = cv2.integral(ink.astype(np.uint8))
    out = []
    for _ in range(n * 4):
        if H <= h + 2 or W <= w + 2:
            break
        y, x = int(rng.integers(0, H - h - 1)), int(rng.integers(0, W - w - 1))
        if ii[y + h, x + w] - ii[y, x + w] - ii[y + h, x] + ii[y, x] == 0:
            out.append((x, y))
        if len(out) >= n:
            break
    return out


def make_edit(rgb: np.ndarray, rng) -> tuple[np.ndarray, tuple[int, int, int, int], str] | None:
    y = luma(rgb)
    ink, _ = ink_mask(y)
    h0 = text_height(ink)
    boxes = words(ink, h0)
    if len(boxes) < 3:
        return None
    kind = str(rng.choice(["retype", "erase", "paste"], p=[0.45, 0.3, 0.25]))
    x, yy, w, h = boxes[int(rng.integers(len(boxes)))]
    out = rgb.copy()
    pad = max(2, h // 6)
    blank = blank_places(ink, h + 2 * pad, w + 2 * pad, rng)
    if kind == "retype":
        region = rgb[yy:yy + h, x:x + w].reshape(-1, 3)
        dark = region[ink[yy:yy + h, x:x + w].reshape(-1)]
        colour = tuple(int(v) for v in (np.percentile(dark, 30, axis=0) if len(dark) else (30, 30, 30)))
        _fill(out, (x, yy, w, h), ink, rng, blank)
        text = _random_text(int(round(w / (0.6 * h))), rng)
        size = int(h * rng.uniform(1.0, 1.35))
        font = _font(size, rng)
        while size > 7 and font.getlength(text) > w * 1.1:
            size -= 1
            font = ImageFont.truetype(font.path, size)
        layer = Image.fromarray(out)
        ImageDraw.Draw(layer).text((x, yy + h), text, fill=colour, font=font, anchor="ls" if rng.random() < 0.5
                                   else "lb")
        if rng.random() < 0.4:  # some forgers soften the new text to match a scan
            crop = (max(0, x - 4), max(0, yy - h), x + w + 4, yy + 2 * h)
            layer.paste(layer.crop(crop).filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 0.9))), crop[:2])
        out = np.asarray(layer).copy()
    elif kind == "erase":
        _fill(out, (x, yy, w, h), ink, rng, blank)
    else:
        donors = [b for b in boxes if abs(b[3] - h) <= max(2, 0.2 * h) and abs(b[1] - yy) > h and b[2] >= 0.4 * w]
        if not donors:
            return None
        dx, dy, dw, dh = donors[int(rng.integers(len(donors)))]
        _fill(out, (x, yy, w, h), ink, rng, blank)
        width = min(w, dw)
        out[yy:yy + dh, x:x + width] = rgb[dy:dy + dh, dx:dx + width]
    return out, (max(0, x - pad), max(0, yy - pad), w + 2 * pad, h + 2 * pad), kind


def edit_and_chain(rgb, rng):
    """One edit of the page and the capture chain both twins then go through: (edited, box, kind, (dy, dx, scale,
    quality)), or None when no edit could be made."""
    made = make_edit(rgb, rng)
    if made is None:
        return None
    edited, box, kind = made
    dy, dx = (int(v) for v in rng.integers(0, 8, 2))
    scale = float(rng.uniform(0.55, 0.95)) if rng.random() < 0.3 else 1.0
    quality = int(rng.integers(60, 96))
    return edited, box, kind, (dy, dx, scale, quality)


def capture(rgb: np.ndarray, dy: int, dx: int, scale: float, quality: int) -> np.ndarray:
    """The final capture chain: crop, optional area resize, one JPEG save; returns the decoded page."""
    page = rgb[dy:, dx:]
    if scale < 1:
        page = cv2.resize(page, (round(page.shape[1] * scale), round(page.shape[0] * scale)),
                          interpolation=cv2.INTER_AREA)
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(page)).save(buffer, "JPEG", quality=int(quality))
    with Image.open(io.BytesIO(buffer.getvalue())) as image:
        return np.asarray(image.convert("RGB"))


# ------------------------------------------------------------------------------------------------ tile features
RAW = ["noise", "ac_h", "ac_v", "clip", "flat", "chroma", "block", "paper", "paper_sd", "ink", "dark", "sharp",
       "lap", "bg_share", "ink_sd"]


def _box_sums(m: np.ndarray, ys: np.ndarray, xs: np.ndarray, th: int, tw: int) -> np.ndarray:
    ii = cv2.integral(m.astype(np.float64))
    Y, X = np.meshgrid(ys, xs, indexing="ij")
    return ii[Y + th, X + tw] - ii[Y, X + tw] - ii[Y + th, X] + ii[Y, X]


def tiles(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray, tuple[int, int]]:
    """(features (ny, nx, 45), tile origins (ny, nx, 2) as (y, x), tile size (th, tw))."""
    from scipy.ndimage import median_filter

    y = luma(rgb)
    ink, paper = ink_mask(y)
    h0 = text_height(ink)
    th = int(np.clip(round(2 * h0), 12, 96))
    tw = int(round(3.5 * th))
    H, W = y.shape
    th, tw = min(th, H - 1), min(tw, W - 1)
    ys = np.arange(0, max(1, H - th), max(1, th // 2))
    xs = np.arange(0, max(1, W - tw), max(1, tw // 2))
    near_ink = cv2.dilate(ink.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    bg = (~near_ink).astype(np.float32)
    r = y - cv2.blur(y, (3, 3))
    rh = np.zeros_like(r)
    rh[:, :-1] = r[:, :-1] * r[:, 1:]
    rv = np.zeros_like(r)
    rv[:-1] = r[:-1] * r[1:]
    flat = np.zeros_like(r)
    flat[:, :-1] = (y[:, :-1] == y[:, 1:])
    ycc = cv2.cvtColor(rgb, cv2.COLOR_RGB2YCrCb).astype(np.float32)
    chroma = sum((ycc[..., c] - cv2.blur(ycc[..., c], (5, 5))) ** 2 for c in (1, 2))
    dx = np.abs(np.diff(y, axis=1, append=y[:, -1:]))
    col = (np.arange(W) % 8 == 7)[None, :]
    gx = cv2.Sobel(y, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(y, cv2.CV_32F, 0, 1, ksize=3)
    grad = np.sqrt(gx * gx + gy * gy)
    edge = (cv2.dilate(ink.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0) & ~ink
    depth = np.clip(paper - y, 0, None)
    lap = cv2.Laplacian(y, cv2.CV_32F) ** 2
    S = lambda m: _box_sums(m, ys, xs, th, tw)  # noqa: E731
    n_bg = S(bg) + 1e-3
    n_ink = S(ink) + 1e-3
    n_edge = S(edge) + 1e-3
    area = float(th * tw)
    noise = S(r * r * bg) / n_bg
    f = {
        "noise": np.sqrt(np.maximum(noise, 0)),
        "ac_h": S(rh * bg) / n_bg / (noise + 1e-3),
        "ac_v": S(rv * bg) / n_bg / (noise + 1e-3),
        "clip": S((y >= 250) * bg) / n_bg,
        "flat": S(flat * bg) / n_bg,
        "chroma": np.sqrt(np.maximum(S(chroma * bg) / n_bg, 0)),
        "block": S(dx * col * bg) / (S(col * bg) + 1e-3) - S(dx * ~col * bg) / (S(~col * bg) + 1e-3),
        "paper": S(y * bg) / n_bg,
        "paper_sd": np.sqrt(np.maximum(S(y * y * bg) / n_bg - (S(y * bg) / n_bg) ** 2, 0)),
        "ink": n_ink / area,
        "dark": S(depth * ink) / n_ink,
        "sharp": S(grad * edge) / n_edge / (S(depth * ink) / n_ink + 10),
        "lap": np.log1p(S(lap) / area),
        "bg_share": n_bg / area,
        "ink_sd": np.sqrt(np.maximum(S(depth * depth * ink) / n_ink - (S(depth * ink) / n_ink) ** 2, 0)),
    }
    raw = np.stack([f[k] for k in RAW], axis=-1).astype(np.float32)
    flat_raw = raw.reshape(-1, raw.shape[-1])
    med = np.median(flat_raw, axis=0)
    mad = np.median(np.abs(flat_raw - med), axis=0) * 1.4826 + 1e-3
    z = (raw - med) / mad
    local = np.stack([median_filter(raw[..., k], size=(3, 5), mode="nearest") for k in range(raw.shape[-1])], -1)
    feats = np.concatenate([raw, np.clip(z, -50, 50), (raw - local) / mad], axis=-1)
    origins = np.stack(np.meshgrid(ys, xs, indexing="ij"), axis=-1)
    return feats, origins, (th, tw)


def overlap(origins: np.ndarray, size: tuple[int, int], box) -> np.ndarray:
    """Share of the smaller of tile and box covered by their intersection."""
    th, tw = size
    bx, by, bw, bh = box
    iy = np.clip(np.minimum(origins[..., 0] + th, by + bh) - np.maximum(origins[..., 0], by), 0, None)
    ix = np.clip(np.minimum(origins[..., 1] + tw, bx + bw) - np.maximum(origins[..., 1], bx), 0, None)
    return iy * ix / float(min(th * tw, bw * bh))


# ------------------------------------------------------------------------------------------------ training set
def build_training(mirror_root: Path, work: Path, edits_per_page: int, seed: int = 9610) -> dict:
    cache = work / "train_tiles.npz"
    if cache.exists():
        d = np.load(cache, allow_pickle=True)
        return {k: d[k] for k in d.files}
    pages = training_pages(mirror_root)
    print(f"{len(pages)} training pages", file=sys.stderr)
    X, Yl, G, K = [], [], [], []
    pool, pool_page = [], []
    t0 = time.time()
    for pi, (repo, name, rgb) in enumerate(pages):
        rng = np.random.default_rng([seed, pi])
        for e in range(edits_per_page):
            made = edit_and_chain(rgb, rng)
            if made is None:
                continue
            edited, box, kind, (dy, dx, scale, quality) = made
            shifted = ((box[0] - dx) * scale, (box[1] - dy) * scale, box[2] * scale, box[3] * scale)
            fe, oe, size = tiles(capture(edited, dy, dx, scale, quality))
            ft, ot, size_t = tiles(capture(rgb, dy, dx, scale, quality))
            cover = overlap(oe, size, shifted)
            pos = cover >= 0.5
            neg = cover == 0
            if not pos.any():
                continue
            negs = np.flatnonzero(neg.reshape(-1))
            pick = rng.choice(negs, size=min(len(negs), 40), replace=False)
            flat_e = fe.reshape(-1, fe.shape[-1])
            flat_t = ft.reshape(-1, ft.shape[-1])

            def add(rows, label, what):
                X.append(rows)
                Yl.append(np.full(len(rows), label))
                K.extend([what] * len(rows))
                G.extend([repo] * len(rows))

            add(flat_e[pos.reshape(-1)], 1, kind)
            add(flat_e[pick], 0, "none")
            if size_t == size and ft.shape == fe.shape:  # the twin's tiles at the edit's place: hard negatives
                add(flat_t[pos.reshape(-1)], 0, "twin")
            add(flat_t[rng.choice(len(flat_t), size=min(20, len(flat_t)), replace=False)], 0, "twin")
            if e == 0:  # every tile of one untouched capture per page: where hard negatives are mined
                pool.append(flat_t)
                pool_page.append(np.full(len(flat_t), pi))
        if pi % 10 == 0:
            print(f"  page {pi + 1}/{len(pages)} {time.time() - t0:.0f} s", file=sys.stderr)
    out = {"X": np.concatenate(X).astype(np.float32), "y": np.concatenate(Yl), "kind": np.array(K),
           "group": np.array(G), "pool": np.concatenate(pool).astype(np.float32),
           "pool_page": np.concatenate(pool_page)}
    np.savez_compressed(cache, **out)
    return out


def fit(X: np.ndarray, y: np.ndarray):
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(max_iter=300, learning_rate=0.05, max_leaf_nodes=31,
                                          min_samples_leaf=40, l2_regularization=1.0, class_weight="balanced",
                                          random_state=0).fit(X, y)


def fit_hard(X: np.ndarray, y: np.ndarray, pool: np.ndarray, pool_page: np.ndarray, share: float = 0.03):
    """Fit, then add each untouched page's highest-scoring tiles (the top `share`) as negatives and fit again:
    a page score is a maximum over thousands of tiles, so the rare honest tile that looks edited is what counts."""
    model = fit(X, y)
    p = model.predict_proba(pool)[:, 1]
    hard = []
    for page in np.unique(pool_page):
        idx = np.flatnonzero(pool_page == page)
        hard.extend(idx[np.argsort(p[idx])[-max(1, int(share * len(idx))):]])
    return fit(np.concatenate([X, pool[hard]]), np.concatenate([y, np.zeros(len(hard))]))


def tile_map(model, rgb: np.ndarray):
    """(probability per tile, tile origins (y, x), tile size (h, w)); a model with its own `tile_map` (the CNN of
    scripts/probe_tile_cnn.py) maps the page itself."""
    if hasattr(model, "tile_map"):
        return model.tile_map(rgb)
    feats, origins, size = tiles(rgb)
    p = model.predict_proba(feats.reshape(-1, feats.shape[-1]))[:, 1].reshape(feats.shape[:2])
    return p, origins, size


def page_score(p: np.ndarray) -> float:
    return float(np.sort(p.reshape(-1))[-2:].mean())


def box_score(p: np.ndarray, origins: np.ndarray, size, box) -> float:
    """The highest tile probability among tiles the box covers (oracle: where the edit is known to be)."""
    cover = overlap(origins, size, box)
    return float(p[cover >= 0.5].max()) if (cover >= 0.5).any() else float(p[cover > 0].max())


# ------------------------------------------------------------------------------------------------ evaluation
def auc(pos, neg) -> float:
    from sklearn.metrics import roc_auc_score

    if not len(pos) or not len(neg):
        return float("nan")
    return float(roc_auc_score([1] * len(pos) + [0] * len(neg), list(pos) + list(neg)))


def read_rgb(path: Path) -> np.ndarray:
    with Image.open(path) as image:
        return limit(np.asarray(ImageOps.exif_transpose(image).convert("RGB")))


def evaluate_real(model, real: Path, work: Path) -> dict:
    rows = [json.loads(line) for line in (real / "labels.jsonl").open()]
    cache_path = work / "real_scores.json"
    scores = json.loads(cache_path.read_text()) if cache_path.exists() else {}
    boxes = {}
    for r in rows:
        if r["tamper_kind"] != "none":
            boxes[r["file"]] = boxes[r["file"].replace("__" + r["variant"], "__matched")] = r["tamper_boxes"][0]
    box_cache = work / "real_box_scores.json"
    box_scores = json.loads(box_cache.read_text()) if box_cache.exists() else {}
    for i, r in enumerate(rows):
        if r["file"] not in scores:
            with Image.open(real / r["file"]) as image:
                full_w = ImageOps.exif_transpose(image).size[0]
            rgb = read_rgb(real / r["file"])
            p, origins, size = tile_map(model, rgb)
            scores[r["file"]] = page_score(p)
            if r["file"] in boxes:
                k = rgb.shape[1] / full_w
                box_scores[r["file"]] = box_score(p, origins, size, [v * k for v in boxes[r["file"]]])
                box_cache.write_text(json.dumps(box_scores))
            if i % 20 == 0:
                cache_path.write_text(json.dumps(scores))
                print(f"  real {i + 1}/{len(rows)}", file=sys.stderr)
    cache_path.write_text(json.dumps(scores))
    result = {}
    untouched_dev = [scores[r["file"]] for r in rows if r["tamper_kind"] == "none" and r["split"] == "dev"]
    cuts = {"flag10": float(np.quantile(untouched_dev, 0.90)), "flag2": float(np.quantile(untouched_dev, 0.98))}
    for split in ("dev", "holdout"):
        edited = [r for r in rows if r["split"] == split and r["tamper_kind"] != "none"]
        twins = {r["file"].replace("__" + r["variant"], "__matched") for r in edited}
        pos = [scores[r["file"]] for r in edited]
        neg = [scores[t] for t in twins]
        wins = np.mean([scores[r["file"]] > scores[r["file"].replace("__" + r["variant"], "__matched")]
                        for r in edited])
        untouched = [scores[r["file"]] for r in rows if r["tamper_kind"] == "none" and r["split"] == split]
        per_source = {}
        for source in sorted({r["source"] for r in edited}):
            es = [r for r in edited if r["source"] == source]
            per_source[source] = {
                "pairs": len(es), "auc": auc([scores[r["file"]] for r in es],
                                             [scores[r["file"].replace("__" + r["variant"], "__matched")]
                                              for r in es])}
        per_kind = {k: auc([scores[r["file"]] for r in edited if r["tamper_kind"] == k],
                           [scores[r["file"].replace("__" + r["variant"], "__matched")] for r in edited
                            if r["tamper_kind"] == k]) for k in sorted({r["tamper_kind"] for r in edited})}
        twin_of = {r["file"]: r["file"].replace("__" + r["variant"], "__matched") for r in edited}
        box_auc = auc([box_scores[f] for f in twin_of], [box_scores[t] for t in twin_of.values()])
        result[split] = {"pairs": len(edited), "pair_auc": auc(pos, neg), "edited_above_twin": float(wins),
                         "oracle_box_auc": box_auc,
                         "oracle_box_auc_per_kind": {k: auc([box_scores[r["file"]] for r in edited
                                                             if r["tamper_kind"] == k],
                                                            [box_scores[twin_of[r["file"]]] for r in edited
                                                             if r["tamper_kind"] == k]) for k in per_kind},
                         "untouched": len(untouched),
                         "untouched_over_flag10_cut": float(np.mean(np.array(untouched) > cuts["flag10"])),
                         "untouched_over_flag2_cut": float(np.mean(np.array(untouched) > cuts["flag2"])),
                         "edited_over_flag10_cut": float(np.mean(np.array(pos) > cuts["flag10"])),
                         "per_source": per_source, "per_kind": per_kind}
    result["cuts"] = cuts
    return result


def evaluate_generated(model, gen: Path, work: Path, limit_n: int) -> dict:
    rows = [json.loads(line) for line in (gen / "labels.jsonl").open()][:limit_n]
    cache_path = work / f"gen_scores_{gen.name}.json"
    scores = json.loads(cache_path.read_text()) if cache_path.exists() else {}
    for r in rows:
        if r["file"] not in scores:
            scores[r["file"]] = page_score(tile_map(model, read_rgb(gen / r["file"]))[0])
    cache_path.write_text(json.dumps(scores))
    pos = [scores[r["file"]] for r in rows if r["tampered"] and r["tamper_kind"] != "metadata"]
    neg = [scores[r["file"]] for r in rows if not r["tampered"]]
    return {"images": len(rows), "tampered_pixels": len(pos), "untouched": len(neg), "auc": auc(pos, neg)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror-root", type=Path, default=Path("/work/.mirror"))
    parser.add_argument("--write-manifest", action="store_true")
    parser.add_argument("--work", type=Path, default=Path("/work/cache/real3"))
    parser.add_argument("--edits-per-page", type=int, default=6)
    parser.add_argument("--real", type=Path)
    parser.add_argument("--generated", type=Path)
    parser.add_argument("--gen-limit", type=int, default=60)
    parser.add_argument("--hard", action="store_true", help="a second fit with mined hard negatives")
    parser.add_argument("--positive-kinds", default="", help="e.g. retype: only these training edits are positives")
    args = parser.parse_args(argv)
    if args.write_manifest:
        write_manifest(args.mirror_root)
        return 0
    args.work.mkdir(parents=True, exist_ok=True)
    data = build_training(args.mirror_root, args.work, args.edits_per_page)
    if args.positive_kinds:  # a narrower target: only these edits count as edited, the others' tiles are left out
        keep = (data["y"] == 0) | np.isin(data["kind"], args.positive_kinds.split(","))
        data = {k: (v[keep] if k in ("X", "y", "kind", "group") else v) for k, v in data.items()}
    X, y, group = data["X"], data["y"], data["group"]
    print(f"training tiles: {len(y)} ({int(y.sum())} edited), sources {sorted(set(group))}")
    report = {"tiles": int(len(y)), "edited_tiles": int(y.sum())}
    # grouped cross-validation: leave one source out, tile AUC on the held-out source
    cv = {}
    for g in sorted(set(group)):
        test = group == g
        if y[test].sum() < 5 or y[~test].sum() < 5:
            continue
        m = fit(X[~test], y[~test])
        p = m.predict_proba(X[test])[:, 1]
        cv[g] = auc(p[y[test] == 1], p[y[test] == 0])
        twin = test & (data["kind"] == "twin")
        cv[g + " (vs twin tiles)"] = auc(p[y[test] == 1], m.predict_proba(X[twin])[:, 1]) if twin.any() else None
    report["leave_one_source_out_tile_auc"] = cv
    print(json.dumps(cv, indent=1))
    model = fit_hard(X, y, data["pool"], data["pool_page"]) if args.hard else fit(X, y)
    if args.real:
        report["real"] = evaluate_real(model, args.real, args.work)
        print(json.dumps(report["real"], indent=1))
    if args.generated:
        report["generated"] = evaluate_generated(model, args.generated, args.work, args.gen_limit)
        print(json.dumps(report["generated"], indent=1))
    (args.work / "report.json").write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
