"""Fixtures for the conversation tests: one service on a session data directory, generated certificate photos,
fresh accounts per test (so increases in one test never affect another). The throwaway PostgreSQL is
tests/database_fixtures.py."""
from __future__ import annotations

import io
import os
import uuid
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def agent_data_dir(tmp_path_factory):
    from credlift.settings import reset_settings_cache

    directory = tmp_path_factory.mktemp("agent-data")
    previous = os.environ.get("CREDLIFT_DATA_DIR")
    os.environ["CREDLIFT_DATA_DIR"] = str(directory)
    reset_settings_cache()
    yield directory
    if previous is None:
        os.environ.pop("CREDLIFT_DATA_DIR", None)
    else:
        os.environ["CREDLIFT_DATA_DIR"] = previous
    reset_settings_cache()


@pytest.fixture(scope="session")
def service(agent_data_dir):
    from credlift.agent.service import CredliftService
    from credlift.settings import get_settings

    service = CredliftService(get_settings())
    yield service
    service.close()


@pytest.fixture()
def new_account(service):
    """new_account(base="demo-graduate-01", **changes) -> a copy of a demo profile under a fresh account id."""

    def make(base: str = "demo-graduate-01", **changes):
        profile = next(p for p in service.accounts() if p.account_id == base)
        copy = profile.model_copy(update={"account_id": f"t-{base}-{uuid.uuid4().hex[:6]}", **changes})
        return service.create_account(copy)

    return make


@pytest.fixture(scope="session")
def photo_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("agent-photos")


# The holders the tests use: name and ID number as on the demo accounts, so the printed ID and exam date agree.
HOLDERS = {"林晓雨": "110105199912310022", "Emily Zhang": "44010619990103028X", "王小明": "110105199912310022",
           "孙悦": "110108200106150049"}


@pytest.fixture(scope="session")
def certificate(photo_dir):
    """certificate(holder, tamper="none", seed=7, **fields) -> bytes of a generated CET-6 photo (cached)."""
    from credlift.evals.synth import SynthSpec, render_credential

    def make(holder: str, tamper: str = "none", seed: int = 7, **fields) -> bytes:
        key = f"cet6-{holder}-{tamper}-{seed}-{sorted(fields.items())}"
        path = photo_dir / f"{uuid.uuid5(uuid.NAMESPACE_URL, key).hex}.jpg"
        if not path.exists():
            printed = {"holder_name": holder, "id_number": HOLDERS[holder], "exam_session": "2022-06", **fields}
            spec = SynthSpec(type="cet6", seed=seed, capture="photo", tamper=tamper, fields=printed)
            path.write_bytes(render_credential(spec).image_bytes)
        return path.read_bytes()

    return make


@pytest.fixture(scope="session")
def receipt_photo() -> bytes:
    """A photo of something that is not a credential (a shop receipt)."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 34)
    image = Image.new("RGB", (900, 1100), (250, 248, 240))
    draw = ImageDraw.Draw(image)
    for row, line in enumerate(["便利店购物小票", "矿泉水 2瓶  4.00", "面包 1个  6.50", "合计  10.50",
                                "现金  20.00", "找零  9.50", "欢迎再次光临"]):
        draw.text((80, 90 + row * 130), line, fill=(30, 30, 30), font=font)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()
