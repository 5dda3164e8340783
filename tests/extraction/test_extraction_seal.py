"""Red seals printed over text: the seal's ink is turned into paper, the black text under it is kept."""
from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from credlift.tools.extraction.preprocess import find_seals, red_ink_mask, suppress_seal_colour

FONT = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc"


def page_with_seal_over_text(red_title: bool = False) -> np.ndarray:
    image = Image.new("RGB", (1200, 800), (250, 248, 240))
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 48)
    draw.text((420, 360), "北京航空航天大学", fill=(25, 25, 30), font=font)
    if red_title:
        draw.text((300, 60), "荣 誉 证 书", fill=(190, 30, 35), font=ImageFont.truetype(FONT, 80))
    seal = Image.new("RGBA", image.size, (0, 0, 0, 0))
    seal_draw = ImageDraw.Draw(seal)
    seal_draw.ellipse((480, 250, 780, 550), outline=(215, 35, 40, 200), width=14)
    seal_draw.polygon([(630, 330), (655, 400), (725, 400), (670, 440), (690, 510), (630, 470), (570, 510), (590, 440),
                       (535, 400), (605, 400)], fill=(215, 35, 40, 200))
    return np.asarray(Image.alpha_composite(image.convert("RGBA"), seal).convert("RGB"))


def test_the_seal_is_found_and_its_ink_removed_while_the_text_under_it_stays():
    rgb = page_with_seal_over_text()
    seals = find_seals(rgb)
    assert len(seals) == 1 and 440 < seals[0].x + seals[0].w / 2 < 820
    cleaned = suppress_seal_colour(rgb, seals)
    assert red_ink_mask(rgb).sum() > 5000 and red_ink_mask(cleaned).sum() < 50
    dark_before = (rgb.max(axis=2) < 80).sum()
    dark_after = (cleaned.max(axis=2) < 80).sum()
    assert abs(dark_after - dark_before) < 0.1 * dark_before


def test_a_red_title_is_not_mistaken_for_a_seal():
    rgb = page_with_seal_over_text(red_title=True)
    seals = find_seals(rgb)
    assert len(seals) == 1
    cleaned = suppress_seal_colour(rgb, seals)
    title = (slice(50, 200), slice(280, 900))
    assert red_ink_mask(cleaned[title]).sum() == red_ink_mask(rgb[title]).sum() > 1000


def test_ocr_reads_the_school_under_the_seal():
    from credlift.tools.extraction.ocr import read_page

    page = read_page(page_with_seal_over_text())
    assert any("北京航空航天大学" in line.text for line in page.lines)
    assert page.seals
