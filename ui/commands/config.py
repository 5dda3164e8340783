"""`credlift config`: the effective settings, secrets masked."""
from __future__ import annotations

import json

import typer


def register(app: typer.Typer) -> None:
    @app.command("config")
    def config(as_json: bool = typer.Option(False, "--json", help="one JSON object")) -> None:
        """Print the effective settings (CREDLIFT_* environment), with secrets masked."""
        from credlift.settings import get_settings

        shown = get_settings().masked()
        if as_json:
            typer.echo(json.dumps(shown, ensure_ascii=False))
            return
        for key, value in shown.items():
            typer.echo(f"{key} = {value}")
