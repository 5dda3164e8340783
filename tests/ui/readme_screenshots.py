"""README screenshots come from the browser tests: with CREDLIFT_README_SCREENSHOTS=1 a test copies the pictures
the README shows into docs/screenshots, so they stay current (a uniquely named module: tests import it)."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
ENV = "CREDLIFT_README_SCREENSHOTS"


def publish(shot: Path) -> Path | None:
    """Copies a screenshot the test just took into docs/screenshots when the variable is set."""
    if os.environ.get(ENV, "").strip().lower() not in ("1", "true", "yes"):
        return None
    DOCS.mkdir(parents=True, exist_ok=True)
    target = DOCS / shot.name
    shutil.copyfile(shot, target)
    return target
