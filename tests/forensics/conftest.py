"""Session fixtures of the forensics tests; the page makers live in forensic_pages."""
from __future__ import annotations

import pytest
from forensic_pages import certificate, copy_moved_score, jpeg_bytes, retyped_score


@pytest.fixture(scope="session")
def honest_photo_bytes() -> bytes:
    return jpeg_bytes(certificate(seed=3), quality=88)


@pytest.fixture(scope="session")
def copy_moved_score_bytes() -> bytes:
    return copy_moved_score()


@pytest.fixture(scope="session")
def retyped_score_bytes() -> bytes:
    return retyped_score()
