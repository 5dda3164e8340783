"""Fixtures for the scale tests: a few generated uploads, and one small local Ray instance for the whole session
(2 CPUs on 127.0.0.1, no dashboard), shut down at the end."""
from __future__ import annotations

import pytest

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
