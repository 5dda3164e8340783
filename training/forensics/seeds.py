"""Which generated sets train which part of the authenticity model (one place, read by training and the CLI).

Kept free of heavy imports so the command line can show the defaults without loading OpenCV or scikit-learn."""
from __future__ import annotations

# the detectors' sets: the first seed trains the block and grid detectors, all of them set the decisive cuts
# (and the first NAME_FROM_TRAIN the name model's cut)
TRAIN_SEEDS = (1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012)
# the fusion's sets (never the block detector's seed, so the fusion sees honest detector outputs): mixed captures
# (scans, photos, screenshots as made) ...
FUSION_SEEDS = (1001, 1002, 1003)
# ... and as many drawn as life captures pages (`capture="varied"`: scanner apps, PDF renders, and most files sent
# on through a chat app, an off-grid re-save or a screenshot, forged and honest files through the same chain).
# fusion-5 learnt on nine mixed sets alone (3,500 images; its out-of-fold ROC-AUC 0.921 at 2,300, 0.923 at 3,500)
# and took every after-chain trace for an edit: 16-18% of honest varied pages flagged
VARIED_SEEDS = (1015, 1016, 1017)
# the edit-trace network's own sets: edits only, 70% forged (more edited blocks to learn from)
TRACE_SEEDS = (1004, 1005, 1006)
TRACE_TAMPER_RATE = 0.7
# the holder-name style model's own sets: retyped and spliced values only, 60% forged (about half of them names);
# it also reads the first NAME_FROM_TRAIN training sets, whose many untouched names set its cut
NAME_SEEDS = (1013, 1014)
NAME_FROM_TRAIN = 4
NAME_TAMPER_RATE = 0.6
NAME_TAMPER_KINDS = ("retype", "splice")
# the decisive page checks whose cuts are set on the training sets (`credlift forensics calibrate`): the signals
# that declare a `role.calibrator` (signals/registry.CALIBRATED; written out here so that the command line does not
# load the signals to show its help; a test holds the two equal)
DECISIVE_CHECKS = ("name_style", "photo_margin", "seal_ink")
RESERVED_SEEDS = {202: "the authenticity evaluation set", 101: "extraction's evaluation set"}


def seed_list(seeds: tuple[int, ...]) -> str:
    """The comma-separated form the command line takes."""
    return ",".join(str(seed) for seed in seeds)
