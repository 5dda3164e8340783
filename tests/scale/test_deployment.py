"""The deployment description (deploy/compose.yaml) names only settings credlift has, and the state it promises
to keep outside the app processes is configured there: Postgres, the Chroma server, the Ray cluster, one volume."""
from __future__ import annotations

from pathlib import Path

import yaml

COMPOSE = Path(__file__).resolve().parents[2] / "deploy" / "compose.yaml"


def test_the_compose_file_names_only_real_settings_and_puts_state_outside_the_app():
    from credlift.settings import Settings

    compose = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    services = compose["services"]
    assert {"postgres", "chroma", "ray-head", "ray-worker", "app"} <= set(services)
    fields = {f"CREDLIFT_{name.upper()}" for name in Settings.model_fields}
    for name, service in services.items():
        for variable in (service.get("environment") or {}):
            if variable.startswith("CREDLIFT_"):
                assert variable in fields, (name, variable)
    app = services["app"]["environment"]
    assert app["CREDLIFT_DATABASE_URL"].startswith("postgresql://") and "@postgres:" in app["CREDLIFT_DATABASE_URL"]
    assert app["CREDLIFT_CHROMA_URL"].endswith("chroma:8000") and app["CREDLIFT_RAY_ADDRESS"] == "ray-head:6379"
    # the app and the Ray workers see the same upload store (the replicas read uploads by content hash from it)
    data_dir = app["CREDLIFT_DATA_DIR"]
    for name in ("app", "ray-worker"):
        assert any(volume.endswith(f":{data_dir}") for volume in services[name]["volumes"]), name
    settings = Settings(**{key[len("CREDLIFT_"):].lower(): value for key, value in app.items()
                           if "${" not in str(value)})
    assert settings.uses_postgres and settings.ray_replicas == 4


DOCKERFILE = COMPOSE.with_name("Dockerfile")
REPO = COMPOSE.parents[1]


def _dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    text = DOCKERFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def test_the_image_compose_runs_is_built_from_the_dockerfile_and_has_what_each_service_runs():
    """compose.yaml builds its image from deploy/Dockerfile; the image installs the extras the services need (Ray for
    the cluster, the Postgres driver for CREDLIFT_DATABASE_URL; chromadb, which brings `chroma run`, is a core
    dependency), the `credlift` command the app runs, the system packages scripts/setup.sh installs for the app, and
    sets only settings credlift has, with the data folder where compose mounts the shared volume."""
    import json
    import re
    import tomllib

    from credlift.settings import Settings

    compose = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    build = compose["x-credlift"]["build"]
    assert (COMPOSE.parent / build["context"] / build["dockerfile"]).resolve() == DOCKERFILE
    instructions = _dockerfile_instructions()
    run = " ".join(arguments for name, arguments in instructions if name == "RUN")
    extras = set(re.search(r'pip install[^"]* -e "\.\[([a-z,]+)\]"', run).group(1).split(","))
    assert {"postgres", "scale"} <= extras
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert any(d.startswith("chromadb") for d in project["dependencies"])
    assert any(d.startswith("ray") for d in project["optional-dependencies"]["scale"])

    commands = {name: service["command"][0] for name, service in compose["services"].items() if "command" in service}
    assert commands == {"chroma": "chroma", "ray-head": "ray", "ray-worker": "ray", "app": "credlift"}
    assert "credlift" in project["scripts"]
    cmd = json.loads(next(arguments for name, arguments in instructions if name == "CMD"))
    assert cmd == compose["services"]["app"]["command"]  # alone, the image serves what compose's app serves

    # system packages: those of scripts/setup.sh (the tests' chromium and postgresql left out)
    setup = (REPO / "scripts" / "setup.sh").read_text(encoding="utf-8")
    setup_packages = set(re.search(r"SYSTEM_PACKAGES=\(([^)]*)\)", setup).group(1).split())
    installed = set(re.search(r"apt-get install -y -qq --no-install-recommends ([^&]+)&&", run).group(1).split())
    assert installed <= setup_packages and setup_packages - installed == {"chromium", "chromium-driver", "postgresql"}

    # settings: real names only; the data folder is the volume's mount point; the app's port is exposed
    environment = dict(re.findall(r"(\w+)=(\S+)", " ".join(a for n, a in instructions if n == "ENV")))
    fields = {f"CREDLIFT_{name.upper()}" for name in Settings.model_fields}
    assert {name for name in environment if name.startswith("CREDLIFT_")} <= fields
    data_dir = compose["x-credlift"]["environment"]["CREDLIFT_DATA_DIR"]
    assert environment["CREDLIFT_DATA_DIR"] == data_dir
    assert f"credlift-data:{data_dir}" in compose["x-credlift"]["volumes"]
    exposed = next(arguments for name, arguments in instructions if name == "EXPOSE").split()
    assert compose["services"]["app"]["ports"] == exposed == [cmd[cmd.index("--port") + 1]]
