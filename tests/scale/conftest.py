"""Fixtures for the scale tests: a few generated uploads, one small local Ray instance for the whole session
(2 CPUs on 127.0.0.1, no dashboard), shut down at the end, and a local Ray cluster of separate processes (a head
and a worker node started with `ray start`, as deploy/compose.yaml starts them)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from local_servers import free_port

RAY_START_LIMIT_S = 180

# two uploads: an honest CET-4 scan and a retyped (forged) CET-6 photo
UPLOAD_SPECS = (("cet4", 3, "scan", "none"), ("cet6", 11, "photo", "retype"))


@pytest.fixture(scope="session")
def scale_uploads(tmp_path_factory):
    """Paths of the generated uploads (written once per session)."""
    from credlift.evals.synth import SynthSpec, render_credential

    folder = tmp_path_factory.mktemp("scale-uploads")
    paths = []
    for kind, seed, capture, tamper in UPLOAD_SPECS:
        sample = render_credential(SynthSpec(type=kind, seed=seed, capture=capture, tamper=tamper))
        path = folder / sample.label["file"]
        path.write_bytes(sample.image_bytes)
        paths.append(path)
    return paths


@pytest.fixture(scope="session")
def local_ray():
    """A local Ray instance with 2 CPUs for this test session (the settings' `local` address reuses it)."""
    import ray  # installed by scripts/setup.sh (the `scale` extra): a missing install fails here, loudly
    from credlift.settings import Settings
    from credlift.tools.ray_analysis import ensure_ray

    ensure_ray(Settings(ray_address="local", ray_num_cpus=2))
    yield ray
    ray.shutdown()


def _ray_start(arguments: list[str], log: Path) -> subprocess.Popen:
    """`ray start ... --block` in a process group of its own (its GCS, raylet and workers stay in that group), its
    output in `log`; returns once it says the runtime started."""
    ray = Path(sys.executable).parent / "ray"
    with log.open("w") as output:
        process = subprocess.Popen([str(ray), "start", *arguments, "--block", "--disable-usage-stats",
                                    "--object-store-memory", str(150 * 2**20)],
                                   stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + RAY_START_LIMIT_S
    while "Ray runtime started" not in log.read_text(errors="replace"):
        if process.poll() is not None or time.monotonic() > deadline:
            _stop(process)
            raise RuntimeError(f"ray start {arguments[0]} failed: {log.read_text(errors='replace')[-2000:]}")
        time.sleep(0.5)
    return process


def _stop(process: subprocess.Popen) -> None:
    """The whole process group at once (a polite SIGTERM makes a node drain for 30 s first)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(timeout=60)


@pytest.fixture()
def ray_cluster():
    """A Ray head with no CPUs of its own and one worker node with 2 CPUs, as separate processes; yields the
    address app processes pass as CREDLIFT_RAY_ADDRESS and the worker node's process (its analysis replicas run
    in its process group). Ray names the node by this machine's own address (it
    swaps a loopback --node-ip-address for it); the cluster is reached at 127.0.0.1."""
    root = Path(tempfile.mkdtemp(prefix="crl-ray-"))  # short: Ray's socket paths must stay under 108 characters
    port = free_port()
    nodes = [_ray_start(["--head", "--port", str(port), "--num-cpus", "0", "--include-dashboard", "false",
                         "--temp-dir", str(root / "t")], root / "head.log")]
    try:
        nodes.append(_ray_start(["--address", f"127.0.0.1:{port}", "--num-cpus", "2"], root / "worker.log"))
        yield SimpleNamespace(address=f"127.0.0.1:{port}", worker=nodes[1])
    finally:
        for node in reversed(nodes):
            _stop(node)
