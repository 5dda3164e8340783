"""A CredliftService on its own data folder, so benchmark uploads never touch the app's data or each other."""
from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def service_on(data_dir: Path):
    """Yields a service whose settings (and the tools that read settings themselves) use `data_dir`."""
    from credlift.settings import reset_settings_cache

    previous = os.environ.get("CREDLIFT_DATA_DIR")
    os.environ["CREDLIFT_DATA_DIR"] = str(data_dir)
    reset_settings_cache()
    try:
        from credlift.agent.service import CredliftService

        yield CredliftService()
    finally:
        if previous is None:
            os.environ.pop("CREDLIFT_DATA_DIR", None)
        else:
            os.environ["CREDLIFT_DATA_DIR"] = previous
        reset_settings_cache()
