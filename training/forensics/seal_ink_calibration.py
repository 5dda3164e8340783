"""The seal-ink check's cut, set on generated sets: honest pages as generated and as a phone or a messenger re-saves
them (JPEG smears colour across the 8 px grid, onto dark print), and its reach on the sets' copy-moved characters."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from credlift.training.forensics.dataset import RESAVE_QUALITIES, LabelledImage, honest_and_forged_rows, page_rgb
from credlift.tools.forensics.signals.base import write_card
from credlift.tools.forensics.signals.seal_ink import CARD_PATH, SEAL_CHECK_FROM, stray_fragment

# the cut is SAFETY x the strongest honest measure (as generated and re-saved): honest pages stay well under it, and
# an honest page a little redder than any seen in training is still not flagged; never under MIN_CUT
SAFETY = 2.0
MIN_CUT = 2 * SEAL_CHECK_FROM


class _Page:
    """The part of an upload the analysis context reads."""

    def __init__(self, rgb: np.ndarray) -> None:
        self.rgb = rgb


def measure(job: tuple[str, int | None]) -> float:
    """The ink of the page's strongest stray fragment (0 without one), on the work copy the signal sees."""
    from credlift.tools.forensics.context import AnalysisContext
    from credlift.tools.forensics.glyphs import page_glyphs

    ctx = AnalysisContext(upload=_Page(page_rgb(*job)))
    fragment = stray_fragment(ctx.work_lab, ctx.work_gray, page_glyphs(ctx))
    return 0.0 if fragment is None else fragment.ink


def ink_rows(data_dir: Path, workers: int | None = None) -> list[tuple[str, str, int | None, float]]:
    """(file, role, re-save quality, ink) for the set's honest pages (role 'honest', as generated and re-saved) and
    copy-moved characters (role 'copy_move')."""
    return honest_and_forged_rows(data_dir, measure, is_copy_move, "copy_move", workers)


def is_copy_move(label: LabelledImage) -> bool:
    return label.tamper_kind == "copy_move"


def choose_cut(honest: np.ndarray) -> float:
    """SAFETY x the strongest honest measure, at least MIN_CUT."""
    return round(max(SAFETY * float(np.max(honest, initial=0.0)), MIN_CUT), 1)


def calibrate_seal_ink(data_dirs: list[Path], out: Path = CARD_PATH, workers: int | None = None, log=print) -> dict:
    """Measures the sets, sets the cut and writes the card the signal reads; returns the card."""
    rows = []
    for directory in data_dirs:
        log(f"  stray seal ink on {directory.name} ...")
        rows += ink_rows(directory, workers)
    as_made = np.array([ink for _, role, quality, ink in rows if role == "honest" and quality is None])
    resave = np.array([ink for _, role, quality, ink in rows if role == "honest" and quality is not None])
    moved = np.array([ink for _, role, _, ink in rows if role == "copy_move"])
    if not as_made.size:
        from credlift.errors import UserInputError

        raise UserInputError("no honest page in the given sets; generate sets with a tamper rate under 1")
    cut = choose_cut(np.concatenate([as_made, resave]))
    card = {
        "measure": "ink (sum of CIELAB a* above the paper's, less the red threshold) of the strongest red cluster inside "
                   "one character's cell with no red around it or on its line, outside every seal",
        "cut": cut,
        "cut_rule": f"{SAFETY:g} x the strongest honest page, as generated and re-saved at JPEG quality "
                    f"{'/'.join(map(str, RESAVE_QUALITIES))} (at least {MIN_CUT:g})",
        "data": [directory.name for directory in data_dirs],
        "honest_pages": int(as_made.size),
        "honest_max": round(float(as_made.max()), 1),
        "resaved_max": round(float(resave.max()), 1) if resave.size else None,
        "honest_with_fragment": int(np.sum(as_made > 0)),
        "copy_moves": int(moved.size),
        "copy_moves_caught": int(np.sum(moved >= cut)),
    }
    write_card(out, card)
    log(f"  seal-ink cut {cut}: strongest honest {card['honest_max']} (re-saved {card['resaved_max']}), copy-moved "
        f"characters caught {card['copy_moves_caught']} of {card['copy_moves']}")
    return card
