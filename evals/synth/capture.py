"""How the page became a file: a flat scan, a phone photo on a desk, a screenshot of a viewer, a scanner app's
enhanced page or a PDF rendered to an image; and what happened to the file afterwards (`after_chain`: a messaging
app's resize and recompression, forwarded again; an off-grid crop re-saved once or twice; a screenshot of the
picture on a phone).

Each capture keeps the homography from page to image so field boxes can be mapped into final pixels; each chain
step its own transform from the file it was given to the file it writes.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np
import piexif
from PIL import Image, ImageDraw

from credlift.evals.synth.drawing import Box, Document
from credlift.evals.synth.fonts import truetype

CAPTURE_STYLES = ("scan", "photo", "screenshot", "scanner_app", "pdf_render", "app_screenshot")
# what can happen to the file after it was made (honest and forged files alike): see `after_chain`
AFTER_CHAINS = ("none", "messaging", "recompress", "screenshot")
PHONES = (("Xiaomi", "Redmi Note 12"), ("HUAWEI", "NOH-AN00"), ("Apple", "iPhone 13"), ("OPPO", "PGJM10"),
          ("vivo", "V2229A"), ("HONOR", "ANY-AN00"), ("samsung", "SM-S9180"))
SCANNERS = (("Canon", "CanoScan LiDE 300"), ("EPSON", "Perfection V39"), ("HP", "LaserJet MFP M232"),
            ("Brother", "DCP-T420W"))


@dataclass
class Capture:
    rgb: np.ndarray
    homography: np.ndarray             # page pixels -> image pixels
    style: str
    format: str                        # jpeg | png
    jpeg_quality: int | None
    exif: dict | None = None           # piexif dict (camera or scanner; never a timestamp)
    png_text: dict[str, str] = field(default_factory=dict)

    def map_box(self, box: Box, pad: int = 0) -> Box:
        return map_box(self.homography, box, self.rgb.shape[1], self.rgb.shape[0], pad)


def map_box(homography: np.ndarray, box: Box, width: int, height: int, pad: int = 0) -> Box:
    """Axis-aligned bounds of a page box after the capture's perspective, clipped to the image."""
    x, y, w, h = box
    corners = np.float32([[x, y], [x + w, y], [x + w, y + h], [x, y + h]]).reshape(-1, 1, 2)
    mapped = cv2.perspectiveTransform(corners, homography).reshape(-1, 2)
    x0, y0 = np.floor(mapped.min(axis=0)) - pad
    x1, y1 = np.ceil(mapped.max(axis=0)) + pad
    x0, y0 = max(0, int(x0)), max(0, int(y0))
    x1, y1 = min(width, int(x1)), min(height, int(y1))
    return (x0, y0, max(0, x1 - x0), max(0, y1 - y0))


def capture(doc: Document, style: str, rng: np.random.Generator) -> Capture:
    if style == "scan":
        return scan(doc, rng)
    if style == "photo":
        return photo(doc, rng)
    if style == "screenshot":
        return screenshot(doc, rng)
    if style == "scanner_app":
        return scanner_app(doc, rng)
    if style == "pdf_render":
        return pdf_render(doc, rng)
    if style == "app_screenshot":
        return app_screenshot(doc, rng)
    raise ValueError(f"unknown capture style {style!r}")


# ---------------------------------------------------------------------- scan

def scan(doc: Document, rng: np.random.Generator) -> Capture:
    """A flatbed scan: tiny skew, scanner-white margin, gamma and colour drift, slight blur and sensor noise."""
    w, h = doc.size
    angle = rng.uniform(-0.9, 0.9)
    scale = rng.uniform(0.95, 0.99)
    centre = (w / 2 + rng.uniform(-8, 8), h / 2 + rng.uniform(-8, 8))
    affine = cv2.getRotationMatrix2D(centre, angle, scale)
    lid = int(rng.integers(236, 252))
    rgb = cv2.warpAffine(doc.rgb, affine, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                         borderValue=(lid, lid, lid - 2))
    img = rgb.astype(np.float32) / 255.0
    gamma = rng.uniform(0.85, 1.15)
    gain = rng.uniform(0.96, 1.04, 3).astype(np.float32)
    img = np.clip(img ** gamma * gain, 0, 1) * 255.0
    img = cv2.GaussianBlur(img, (0, 0), rng.uniform(0.35, 0.75))
    img += rng.standard_normal(img.shape[:2] + (1,), dtype=np.float32) * rng.uniform(0.8, 2.2)
    homography = np.vstack([affine, [0, 0, 1]])
    is_png = rng.random() < 0.2
    maker = SCANNERS[int(rng.integers(len(SCANNERS)))]
    return Capture(np.clip(img, 0, 255).astype(np.uint8), homography, "scan", "png" if is_png else "jpeg",
                   None if is_png else int(rng.integers(80, 96)), _exif(maker, rng), {})


# ---------------------------------------------------------------------- photo

def _desk(h: int, w: int, rng: np.random.Generator) -> np.ndarray:
    """A wood-grain, stone or cloth desk surface, vectorised."""
    kind = rng.integers(3)
    yy, xx = np.mgrid[0:h // 2, 0:w // 2].astype(np.float32)
    noise = cv2.resize(rng.normal(0, 1, (h // 16, w // 16)).astype(np.float32), (w // 2, h // 2), interpolation=cv2.INTER_CUBIC)
    if kind == 0:  # wood
        base = np.array(rng.choice([[150, 105, 70], [185, 140, 95], [110, 75, 50]]), np.float32)
        grain = np.sin((yy + 18 * noise + 6 * np.sin(xx / rng.uniform(40, 90))) / rng.uniform(2.5, 5.0))
        tex = base[None, None, :] * (0.86 + 0.08 * grain[..., None] + 0.05 * noise[..., None])
    elif kind == 1:  # stone / laminate
        base = np.array(rng.choice([[205, 205, 200], [170, 172, 175], [225, 220, 210]]), np.float32)
        speck = rng.standard_normal((h // 2, w // 2), dtype=np.float32)
        tex = base[None, None, :] * (0.95 + 0.04 * noise[..., None] + 0.02 * speck[..., None])
    else:  # cloth
        base = np.array(rng.choice([[60, 70, 95], [90, 60, 60], [70, 85, 70]]), np.float32)
        weave = np.sin(xx * 1.7) * np.sin(yy * 1.7)
        tex = base[None, None, :] * (0.9 + 0.06 * weave[..., None] + 0.06 * noise[..., None])
    return cv2.resize(np.clip(tex, 0, 255), (w, h), interpolation=cv2.INTER_LINEAR)


def photo(doc: Document, rng: np.random.Generator) -> Capture:
    """A phone photo: perspective, desk, soft shadow, uneven light, blur, noise, white balance."""
    dw, dh = doc.size
    landscape = dw >= dh
    out_w, out_h = (1600, 1200) if landscape else (1200, 1600)
    fill = rng.uniform(0.74, 0.9)
    scale = min(out_w * fill / dw, out_h * fill / dh)
    pw, ph = dw * scale, dh * scale
    cx, cy = out_w / 2 + rng.uniform(-0.05, 0.05) * out_w, out_h / 2 + rng.uniform(-0.05, 0.05) * out_h
    angle = np.deg2rad(rng.uniform(-6, 6))
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    base = np.array([[-pw / 2, -ph / 2], [pw / 2, -ph / 2], [pw / 2, ph / 2], [-pw / 2, ph / 2]]) @ rot.T + [cx, cy]
    # perspective: one edge nearer the camera than the other
    tilt = rng.uniform(-0.06, 0.06, (4, 2)) * [pw, ph]
    keystone = rng.uniform(0.0, 0.07) * pw
    if rng.random() < 0.5:
        tilt[0, 0] += keystone / 2
        tilt[1, 0] -= keystone / 2
    else:
        tilt[3, 0] += keystone / 2
        tilt[2, 0] -= keystone / 2
    dest = base + tilt
    # the whole page stays in the frame (a cut-off field would contradict its label): shrink and re-centre
    margin = 0.02 * min(out_w, out_h)
    span = dest.max(axis=0) - dest.min(axis=0)
    shrink = min(1.0, (out_w - 2 * margin) / span[0], (out_h - 2 * margin) / span[1])
    dest = (dest - dest.mean(axis=0)) * shrink + dest.mean(axis=0)
    low, high = dest.min(axis=0), dest.max(axis=0)
    dest += np.maximum(0, margin - low) - np.maximum(0, high - (np.float64([out_w, out_h]) - margin))
    dest = np.float32(dest)
    src = np.float32([[0, 0], [dw, 0], [dw, dh], [0, dh]])
    homography = cv2.getPerspectiveTransform(src, dest)

    desk = _desk(out_h, out_w, rng)
    paper = cv2.warpPerspective(doc.rgb, homography, (out_w, out_h), flags=cv2.INTER_LINEAR).astype(np.float32)
    mask = np.zeros((out_h, out_w), np.float32)
    cv2.fillConvexPoly(mask, np.int32(np.round(dest * 4)), 1.0, lineType=cv2.LINE_AA, shift=2)
    shadow_offset = rng.uniform(4, 14, 2)
    shadow = cv2.warpAffine(mask, np.float32([[1, 0, shadow_offset[0]], [0, 1, shadow_offset[1]]]), (out_w, out_h))
    shadow = cv2.GaussianBlur(shadow, (0, 0), rng.uniform(6, 14))
    scene = desk * (1 - 0.45 * shadow[..., None])
    scene = scene * (1 - mask[..., None]) + paper * mask[..., None]

    # uneven light: a linear gradient, a vignette and sometimes a soft highlight (smooth: computed at 1/8 size)
    lh, lw = out_h // 8, out_w // 8
    yy, xx = np.mgrid[0:lh, 0:lw].astype(np.float32)
    xx, yy = xx / lw - 0.5, yy / lh - 0.5
    gx, gy = rng.uniform(-0.25, 0.25, 2)
    light = (1.0 + gx * xx + gy * yy) * (1.0 - rng.uniform(0.1, 0.35) * (xx ** 2 + yy ** 2))
    if rng.random() < 0.35:
        hx, hy = rng.uniform(-0.3, 0.3, 2)
        light += rng.uniform(0.06, 0.18) * np.exp(-((xx - hx) ** 2 + ((yy - hy) * out_h / out_w) ** 2) / (2 * 0.18 ** 2))
    white_balance = np.float32([rng.uniform(0.95, 1.06), 1.0, rng.uniform(0.88, 1.04)]) * rng.uniform(0.9, 1.02)
    light = cv2.resize(light.astype(np.float32), (out_w, out_h), interpolation=cv2.INTER_LINEAR)
    scene *= light[..., None] * white_balance

    if rng.random() < 0.25:  # a little hand shake
        length = int(rng.integers(3, 7))
        kernel = np.zeros((length, length), np.float32)
        kernel[length // 2, :] = 1.0 / length
        rotation = cv2.getRotationMatrix2D((length / 2 - 0.5, length / 2 - 0.5), rng.uniform(0, 180), 1.0)
        kernel = cv2.warpAffine(kernel, rotation, (length, length))
        scene = cv2.filter2D(scene, -1, kernel / max(kernel.sum(), 1e-6))
    else:
        scene = cv2.GaussianBlur(scene, (0, 0), rng.uniform(0.5, 1.3))
    sigma = rng.uniform(1.5, 4.5)
    scene += (rng.standard_normal((out_h, out_w, 1), dtype=np.float32) * sigma)                # luminance noise
    chroma = rng.standard_normal((out_h // 2, out_w // 2, 3), dtype=np.float32) * (sigma * 0.6)  # chroma noise is coarser
    scene += cv2.resize(chroma, (out_w, out_h), interpolation=cv2.INTER_LINEAR)
    maker = PHONES[int(rng.integers(len(PHONES)))]
    return Capture(np.clip(scene, 0, 255).astype(np.uint8), homography, "photo", "jpeg", int(rng.integers(70, 96)),
                   _exif(maker, rng, camera=True), {})


# ---------------------------------------------------------------------- screenshot

def screenshot(doc: Document, rng: np.random.Generator) -> Capture:
    """A screenshot of an image viewer: a phone (status bar, dark viewer) or a desktop window."""
    dw, dh = doc.size
    phone = rng.random() < 0.5
    if phone:
        out_w, out_h = 736, 1600
        bar_h, bottom_h = 72, 120
        background = (0, 0, 0) if rng.random() < 0.7 else (240, 240, 242)
        area = (0, bar_h + 40, out_w, out_h - bar_h - bottom_h - 80)
    else:
        out_w, out_h = 1600, 1000
        bar_h, bottom_h = 64, 40
        background = (38, 38, 40) if rng.random() < 0.5 else (232, 232, 235)
        area = (40, bar_h + 20, out_w - 80, out_h - bar_h - bottom_h - 40)
    scale = min(area[2] / dw, area[3] / dh)
    pw, ph = int(round(dw * scale)), int(round(dh * scale))
    ox, oy = area[0] + (area[2] - pw) // 2, area[1] + (area[3] - ph) // 2
    canvas = Image.new("RGB", (out_w, out_h), background)
    canvas.paste(Image.fromarray(cv2.resize(doc.rgb, (pw, ph), interpolation=cv2.INTER_AREA)), (ox, oy))
    draw = ImageDraw.Draw(canvas)
    fg = (255, 255, 255) if sum(background) < 300 else (20, 20, 20)
    font = truetype("sans", "regular", 30 if phone else 22)
    clock = f"{int(rng.integers(7, 23))}:{int(rng.integers(0, 60)):02d}"
    if phone:
        draw.text((36, 48), clock, font=font, fill=fg, anchor="ls")
        battery_x = out_w - 90
        draw.rectangle((battery_x, 26, battery_x + 48, 48), outline=fg, width=2)
        draw.rectangle((battery_x + 4, 30, battery_x + 4 + int(40 * rng.uniform(0.2, 1.0)), 44), fill=fg)
        for i in range(4):
            draw.rectangle((out_w - 170 + i * 12, 46 - 6 * (i + 1), out_w - 162 + i * 12, 46), fill=fg)
        draw.text((out_w / 2, out_h - 70), "保存图片    分享    编辑", font=font, fill=fg, anchor="ms")
    else:
        draw.rectangle((0, 0, out_w, bar_h), fill=(60, 60, 64) if sum(background) < 300 else (210, 210, 214))
        title = f"IMG_{int(rng.integers(1000, 9999))}.jpg - 照片查看器"
        draw.text((24, 42), title, font=font, fill=fg, anchor="ls")
        for i in range(3):
            cx = out_w - 40 - i * 46
            draw.ellipse((cx - 8, 24, cx + 8, 40), fill=[(240, 90, 80), (240, 190, 60), (90, 200, 90)][i])
        draw.text((out_w - 40, out_h - 12), f"{int(scale * 100)}%", font=font, fill=fg, anchor="rs")
    homography = np.float64([[scale, 0, ox], [0, scale, oy], [0, 0, 1]])
    is_jpeg = rng.random() < 0.2  # a screenshot forwarded through a chat app comes back as a JPEG
    return Capture(np.asarray(canvas).copy(), homography, "screenshot", "jpeg" if is_jpeg else "png",
                   int(rng.integers(72, 92)) if is_jpeg else None, None, {})


def app_screenshot(doc: Document, rng: np.random.Generator) -> Capture:
    """The phone's own screenshot of an app page drawn at its pixels (evals/synth/screen.py): the pixels as they
    are, saved as a PNG, or as a JPEG by the phones whose screenshots are JPEGs (quality 85-95)."""
    is_jpeg = rng.random() < 0.4
    return Capture(doc.rgb.copy(), np.eye(3), "app_screenshot", "jpeg" if is_jpeg else "png",
                   int(rng.integers(85, 96)) if is_jpeg else None, None, {})


# ---------------------------------------------------------------------- scanner app, PDF render

SCANNER_APPS = ("CamScanner", "扫描全能王", "Adobe Scan", "Microsoft Lens", "夸克扫描王")


def scanner_app(doc: Document, rng: np.random.Generator) -> Capture:
    """A phone scanner app: the phone photo, its page corners found and flattened to a rectangle, then the app's
    "enhance" filter (light flattened by dividing by a blurred background, contrast stretched, in most modes until
    the paper is pure white, sharpened; one in five in the app's black-and-white mode) and its own JPEG save."""
    shot = photo(doc, rng)
    dw, dh = doc.size
    scale = rng.uniform(0.75, 1.0)
    out_w, out_h = int(round(dw * scale)), int(round(dh * scale))
    page_to_out = np.float64([[scale, 0, 0], [0, scale, 0], [0, 0, 1]])
    # the app's corner detection is a few pixels off: rectify with a slightly wrong quad
    jitter = np.eye(3)
    jitter[:2, 2] = rng.uniform(-3, 3, 2)
    rectify = page_to_out @ jitter @ np.linalg.inv(shot.homography)
    flat = cv2.warpPerspective(shot.rgb, rectify, (out_w, out_h), flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_REPLICATE).astype(np.float32)
    background = cv2.GaussianBlur(cv2.dilate(flat, np.ones((7, 7), np.uint8)), (0, 0), 25)
    img = np.clip(flat / np.maximum(background, 1.0) * 255.0, 0, 255)
    # the stretch's white point: in the apps' usual colour modes ("enhance", "magic colour", 3 in 5) below most of
    # the paper, which is blown out to pure white (real scanner-app pages of the development set: 67-96% of pixels
    # at 250+ in every channel); otherwise ("lighten") near the top, keeping the paper's texture
    white_point = rng.uniform(8, 30) if rng.random() < 0.6 else rng.uniform(90, 98)
    low, high = np.percentile(img, rng.uniform(0.5, 3.0)), np.percentile(img, white_point)
    img = np.clip((img - low) * 255.0 / max(high - low, 1.0), 0, 255)
    # unsharp mask: weights summing to one, so the paper keeps its level (two separate draws here darkened half the
    # pages to a grey of 0.5-1.0 times their level, a page no scanner app writes)
    amount = rng.uniform(0.3, 0.8)
    img = cv2.addWeighted(img, 1.0 + amount, cv2.GaussianBlur(img, (0, 0), 1.2), -amount, 0)
    if rng.random() < 0.2:  # black-and-white mode
        gray = cv2.cvtColor(np.clip(img, 0, 255).astype(np.uint8), cv2.COLOR_RGB2GRAY)
        img = np.repeat(gray[..., None], 3, axis=2).astype(np.float32)
    homography = rectify @ shot.homography
    return Capture(np.clip(img, 0, 255).astype(np.uint8), homography, "scanner_app", "jpeg",
                   int(rng.integers(75, 93)), None, {})


def pdf_render(doc: Document, rng: np.random.Generator) -> Capture:
    """A PDF (an e-certificate or an issuer's download) rendered to an image by a viewer or converter: the page
    resampled to the render's resolution, no noise and no blur; PNG or a high-quality JPEG."""
    dw, dh = doc.size
    scale = rng.uniform(0.6, 1.25)
    out_w, out_h = int(round(dw * scale)), int(round(dh * scale))
    rgb = cv2.resize(doc.rgb, (out_w, out_h), interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC)
    homography = np.float64([[out_w / dw, 0, 0], [0, out_h / dh, 0], [0, 0, 1]])
    is_png = rng.random() < 0.6
    return Capture(rgb, homography, "pdf_render", "png" if is_png else "jpeg",
                   None if is_png else int(rng.integers(88, 99)), None, {})


# ---------------------------------------------------------------------- after the file was made

@dataclass
class Chained:
    """A file after an after-chain: the last save's pixels, format and quality, the transform from the pixels
    it was given to these, and the steps taken (e.g. ["resize 0.80", "jpeg 78", "jpeg 66"])."""
    rgb: np.ndarray
    format: str
    jpeg_quality: int | None
    transform: np.ndarray
    steps: list[str]
    exif: dict | None = None

    def map_box(self, box: Box, pad: int = 0) -> Box:
        return map_box(self.transform, box, self.rgb.shape[1], self.rgb.shape[0], pad)


def _jpeg_round_trip(rgb: np.ndarray, quality: int) -> np.ndarray:
    from credlift.evals.synth.encode import decode, encode

    return decode(encode(rgb, "jpeg", quality))


@dataclass
class _Picture:
    """A file shown on a screen: what `screenshot` needs of a Document."""
    rgb: np.ndarray

    @property
    def size(self) -> tuple[int, int]:
        return self.rgb.shape[1], self.rgb.shape[0]


def after_chain(rgb: np.ndarray, chain: str, rng: np.random.Generator, exif: dict | None = None) -> Chained:
    """What happens to a file after it was made, the same for an honest and a forged file given the same `rng`
    state (so a forgery and its untouched page leave through the same final save):

    - `messaging`: a chat app shrinks the long side to 1,280 px (or 1,080 / 1,600) and saves at quality 70-85,
      dropping the metadata; forwarded once more in three cases of ten (a second save at 60-85);
    - `recompress`: a crop of 1-7 px off the top and left (the 8x8 JPEG grid moves) and one or two saves at
      random qualities 60-95, metadata kept;
    - `screenshot`: the picture shown in a phone or desktop viewer and captured (PNG, one in five forwarded as
      JPEG), no metadata.
    Intermediate saves are real JPEG round trips: the last one is left to the caller's encoder (`format`,
    `jpeg_quality`)."""
    height, width = rgb.shape[:2]
    if chain == "none":
        return Chained(rgb, "", None, np.eye(3), [], exif)
    if chain == "messaging":
        long_side = int(rng.choice([1080, 1280, 1280, 1600]))
        scale = min(1.0, long_side / max(height, width))
        steps = []
        if scale < 1.0:
            rgb = cv2.resize(rgb, (int(round(width * scale)), int(round(height * scale))), interpolation=cv2.INTER_AREA)
            steps.append(f"resize {scale:.2f}")
        transform = np.float64([[rgb.shape[1] / width, 0, 0], [0, rgb.shape[0] / height, 0], [0, 0, 1]])
        quality = int(rng.integers(70, 86))
        if rng.random() < 0.3:  # forwarded: the first app's save, then the second's
            rgb = _jpeg_round_trip(rgb, quality)
            steps.append(f"jpeg {quality}")
            quality = int(rng.integers(60, 86))
        steps.append(f"jpeg {quality}")
        return Chained(rgb, "jpeg", quality, transform, steps, None)
    if chain == "recompress":
        dx, dy = int(rng.integers(1, 8)), int(rng.integers(1, 8))
        rgb = np.ascontiguousarray(rgb[dy:, dx:])
        transform = np.float64([[1, 0, -dx], [0, 1, -dy], [0, 0, 1]])
        steps = [f"crop {dx},{dy}"]
        quality = int(rng.integers(60, 96))
        if rng.random() < 0.4:
            rgb = _jpeg_round_trip(rgb, quality)
            steps.append(f"jpeg {quality}")
            quality = int(rng.integers(60, 96))
        steps.append(f"jpeg {quality}")
        return Chained(rgb, "jpeg", quality, transform, steps, exif)
    if chain == "screenshot":
        shot = screenshot(_Picture(rgb), rng)
        return Chained(shot.rgb, shot.format, shot.jpeg_quality, shot.homography,
                       ["screenshot"] + ([f"jpeg {shot.jpeg_quality}"] if shot.format == "jpeg" else ["png"]), None)
    raise ValueError(f"unknown after-chain {chain!r}")


def _exif(maker: tuple[str, str], rng: np.random.Generator, camera: bool = False) -> dict:
    """Camera or scanner EXIF without any timestamp (samples stay byte-identical for a seed)."""
    zeroth = {piexif.ImageIFD.Make: maker[0].encode(), piexif.ImageIFD.Model: maker[1].encode(),
              piexif.ImageIFD.Orientation: 1}
    exif: dict = {}
    if camera:
        exif = {piexif.ExifIFD.FNumber: (int(rng.integers(16, 24)), 10),
                piexif.ExifIFD.ISOSpeedRatings: int(rng.choice([100, 125, 200, 320, 400, 640])),
                piexif.ExifIFD.FocalLength: (int(rng.integers(400, 700)), 100)}
    return {"0th": zeroth, "Exif": exif, "GPS": {}, "1st": {}, "thumbnail": None}
