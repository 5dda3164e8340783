"""Certificate-like images made in the forensics tests: printed text on textured paper, then edited the way forgers
do. A plain module (not the conftest) so that test files import it by a name no other test folder uses."""
from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageDraw, ImageFont

CJK_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
LATIN_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
SCORE_BOX = (566, 272, 60, 42)  # x, y, w, h of the total score "625" on the page (third row)


def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size, index=2 if path.endswith(".ttc") else 0)


def paper(width: int = 1000, height: int = 700, seed: int = 0) -> np.ndarray:
    """Off-white paper with fibre noise and a soft lighting gradient, like a phone photo of a page."""
    rng = np.random.default_rng(seed)
    base = np.full((height, width, 3), (236, 232, 222), np.float32)
    gradient = np.linspace(-8, 6, width, dtype=np.float32)[None, :, None]
    base += gradient + rng.normal(0, 3.2, (height, width, 1)).astype(np.float32)
    return np.clip(base, 0, 255).astype(np.uint8)


def certificate(seed: int = 0, score: str = "625", number: str = "191211001001234") -> np.ndarray:
    """A CET-like score report: title, labelled fields, digits. (The default report number codes CET-6 on a
    CET-4 page: the pixel tests never read it; pass a CET-4 number, 1911..., where the text is read.)"""
    image = Image.fromarray(paper(seed=seed))
    draw = ImageDraw.Draw(image)
    draw.text((300, 40), "全国大学英语四级考试成绩报告单", font=_font(CJK_FONT, 34), fill=(40, 40, 40))
    body = _font(CJK_FONT, 30)
    rows = [("姓名", "张晓明"), ("学校", "华东师范大学"), ("总分", score), ("听力", "215"), ("阅读", "220"),
            ("写作和翻译", "190"), ("成绩报告单编号", number)]
    for index, (label, value) in enumerate(rows):
        y = 120 + index * 75
        draw.text((120, y), label + ":", font=body, fill=(45, 45, 45))
        draw.text((570, y), value, font=body, fill=(45, 45, 45))
    return np.asarray(image)


def jpeg_bytes(rgb: np.ndarray, quality: int = 88, exif: bytes | None = None) -> bytes:
    buffer = io.BytesIO()
    kwargs = {"exif": exif} if exif else {}
    Image.fromarray(rgb).save(buffer, "JPEG", quality=quality, **kwargs)
    return buffer.getvalue()


def decode(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


def png_bytes(rgb: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, "PNG")
    return buffer.getvalue()


def copy_moved_score(seed: int = 4) -> bytes:
    """The '2' of the listening score (next row) cloned over the score's first digit of a photographed page,
    exported losslessly (PNG), as an editor's 'save as' does."""
    page = decode(jpeg_bytes(certificate(seed=seed), quality=90)).copy()
    x, y, w, h = SCORE_BOX
    page[y:y + h, x:x + 20] = page[y + 75:y + 75 + h, x:x + 20]
    return png_bytes(page)


def retyped_score(seed: int = 5) -> bytes:
    """The score painted over with paper colour and retyped in a Latin font, as a quick edit would."""
    page = decode(jpeg_bytes(certificate(seed=seed), quality=85)).copy()
    x, y, w, h = SCORE_BOX
    page[y:y + h, x:x + w] = np.median(page[y:y + h, x + w:x + w + 60].reshape(-1, 3), axis=0)
    image = Image.fromarray(page)
    ImageDraw.Draw(image).text((x + 4, y + 2), "695", font=_font(LATIN_FONT, 29), fill=(20, 20, 20))
    return jpeg_bytes(np.asarray(image), quality=92)
