"""Fixtures for the conversation tests: one service on a session data directory, generated certificate photos,
fresh accounts per test (so increases in one test never affect another), and a throwaway PostgreSQL."""
from __future__ import annotations

import io
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import pytest

PG_BIN = Path("/usr/lib/postgresql/15/bin")
PG_USER = "credliftpg"


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


# --- a throwaway PostgreSQL on 127.0.0.1 ------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_pg_user(command: list[str]) -> list[str]:
    """initdb/pg_ctl refuse to run as root: run them as an unprivileged user (created if needed)."""
    if os.geteuid() != 0:
        return command
    try:
        pwd.getpwnam(PG_USER)
    except KeyError:
        made = subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", PG_USER],
                              capture_output=True)
        if made.returncode not in (0, 9):  # 9: another test worker created it a moment ago
            raise RuntimeError(f"useradd {PG_USER} failed: {made.stderr.decode(errors='replace').strip()}")
    return ["runuser", "-u", PG_USER, "--", *command]


@pytest.fixture(scope="session")
def postgres_url():
    """A PostgreSQL 15 server started for this test session on a random port; torn down afterwards."""
    root = Path(tempfile.mkdtemp(prefix="credlift-pg-"))
    data = root / "data"
    data.mkdir()
    if os.geteuid() == 0:
        _as_pg_user(["true"])
        shutil.chown(root, PG_USER)
        shutil.chown(data, PG_USER)
    os.chmod(root, 0o700)
    port = _free_port()
    subprocess.run(_as_pg_user([str(PG_BIN / "initdb"), "-D", str(data), "-U", "credlift", "--auth=trust",
                                "-E", "UTF8", "--locale=C"]), check=True, capture_output=True)
    subprocess.run(_as_pg_user([str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(root / "server.log"), "-w",
                                "-o", f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off", "start"]),
                   check=True, capture_output=True)
    try:
        yield f"postgresql://credlift@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(_as_pg_user([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]),
                       capture_output=True)
        time.sleep(0.2)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture()
def postgres_database(postgres_url):
    """A fresh database on the session's server."""
    import psycopg

    name = f"credlift_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(postgres_url, autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    return postgres_url.rsplit("/", 1)[0] + f"/{name}"


class PostgresServer:
    """A PostgreSQL server of its own that a test may stop and start again (same port, same data)."""

    def __init__(self, root: Path):
        self.root, self.data, self.port = root, root / "data", _free_port()

    @property
    def url(self) -> str:
        return f"postgresql://credlift@127.0.0.1:{self.port}/postgres"

    def init(self) -> None:
        self.data.mkdir()
        if os.geteuid() == 0:
            _as_pg_user(["true"])
            shutil.chown(self.root, PG_USER)
            shutil.chown(self.data, PG_USER)
        os.chmod(self.root, 0o700)
        subprocess.run(_as_pg_user([str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "credlift", "--auth=trust",
                                    "-E", "UTF8", "--locale=C"]), check=True, capture_output=True)

    def start(self) -> None:
        subprocess.run(_as_pg_user([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "server.log"),
                                    "-w", "-o", f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
                                                "-c fsync=off", "start"]), check=True, capture_output=True)

    def stop(self, mode: str = "fast") -> None:
        subprocess.run(_as_pg_user([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"]),
                       capture_output=True)


@pytest.fixture()
def postgres_server():
    """A throwaway PostgreSQL for one test, which the test may restart."""
    server = PostgresServer(Path(tempfile.mkdtemp(prefix="credlift-pg-restart-")))
    server.init()
    server.start()
    try:
        yield server
    finally:
        server.stop("immediate")
        time.sleep(0.2)
        shutil.rmtree(server.root, ignore_errors=True)
