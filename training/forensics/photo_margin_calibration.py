"""The photo-margin check's cut, set on generated sets: honest pages as generated and as a phone or a messenger
re-saves them (JPEG chroma bleeds from a coloured photo into the paper around it, which is where the check looks),
and its reach on the sets' spliced photos."""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from credlift.training.forensics.dataset import RESAVE_QUALITIES, LabelledImage, honest_and_forged_rows, page_rgb
from credlift.tools.forensics.signals.base import write_card
from credlift.tools.forensics.signals.photo_margin import CARD_PATH, measure_photo

# honest pages (found photos, both versions) at or over the cut
TARGET_FLAGGED = 0.005


def is_photo_splice(label: LabelledImage) -> bool:
    """A splice that replaced the photo (the generator's splices of a value name the field they changed)."""
    return label.tamper_kind == "splice" and not label.tampered_fields


def measure(job: tuple[str, int | None]) -> float | None:
    measured = measure_photo(cv2.cvtColor(page_rgb(*job), cv2.COLOR_RGB2LAB))
    return None if measured is None else measured[1]


def margin_rows(data_dir: Path, workers: int | None = None) -> list[tuple[str, str, int | None, float | None]]:
    """(file, role, re-save quality, shift) for the set's honest pages (role 'honest', as generated and re-saved)
    and spliced photos (role 'photo_splice')."""
    return honest_and_forged_rows(data_dir, measure, is_photo_splice, "photo_splice", workers)


def choose_cut(honest: np.ndarray, target: float = TARGET_FLAGGED) -> float:
    """The smallest cut that flags at most `target` of the honest measures."""
    return round(float(np.quantile(honest, 1.0 - target)) + 1e-3, 3)


def calibrate_photo_margin(data_dirs: list[Path], out: Path = CARD_PATH, workers: int | None = None,
                           log=print) -> dict:
    """Measures the sets, sets the cut and writes the card the signal reads; returns the card."""
    rows = []
    for directory in data_dirs:
        log(f"  photo margins of {directory.name} ...")
        rows += margin_rows(directory, workers)
    honest = [(quality, shift) for _, role, quality, shift in rows if role == "honest" and shift is not None]
    splices = [shift for _, role, _, shift in rows if role == "photo_splice"]
    if not honest:
        from credlift.errors import UserInputError

        raise UserInputError("no honest page with a photo in the given sets; generate sets with credential photos")
    cut = choose_cut(np.array([shift for _, shift in honest]))
    as_made = np.array([shift for quality, shift in honest if quality is None])
    resave = np.array([shift for quality, shift in honest if quality is not None])
    caught = sum(1 for shift in splices if shift is not None and shift >= cut)
    card = {
        "measure": "smallest shift over the photo's sides of the paper's mean CIELAB colour (lightness x0.3) "
                   "2-6 px against 12-20 px outside the photo",
        "cut": cut,
        "cut_rule": f"{TARGET_FLAGGED:.1%} of honest pages with a photo flagged, as generated and re-saved at JPEG "
                    f"quality {'/'.join(map(str, RESAVE_QUALITIES))}",
        "data": [directory.name for directory in data_dirs],
        "honest_pages_with_photo": int(as_made.size),
        "honest_flagged": round(float(np.mean(as_made >= cut)), 4) if as_made.size else None,
        "resaved_flagged": round(float(np.mean(resave >= cut)), 4) if resave.size else None,
        "photo_splices": len(splices),
        "photo_splices_found": sum(1 for shift in splices if shift is not None),
        "photo_splices_caught": caught,
    }
    write_card(out, card)
    log(f"  photo-margin cut {cut}: honest flagged {card['honest_flagged']}, re-saved {card['resaved_flagged']}, "
        f"spliced photos caught {caught} of {len(splices)}")
    return card
