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
