"""`credlift issuers serve`: the local issuer simulator (CHSI report, CET score, skill certificate) on 127.0.0.1."""
from __future__ import annotations

import signal
from pathlib import Path

import typer

issuers_app = typer.Typer(help="Verification at the issuer: the local issuer simulator.", no_args_is_help=True)


@issuers_app.command("serve")
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="address to listen on (local only by default)"),
    port: int = typer.Option(8765, "--port", min=0, max=65535, help="0: any free port (printed)"),
    labels: list[Path] = typer.Option(None, "--labels", help="a synthetic labels.jsonl whose certificates the "
                                                             "issuers have on their books (repeatable)"),
    from_registry: bool = typer.Option(True, "--from-registry/--no-registry",
                                       help="also the local issuer table of the data directory, when seeded"),
    state: str = typer.Option("up", "--state", help="up | down (every answer 503) | slow (answers after --slow-s)"),
    slow_s: float = typer.Option(30.0, "--slow-s", min=0.0, help="the delay of --state slow"),
) -> None:
    """Serves the issuers' online queries with the shapes of tools/issuers/shapes.py until Ctrl-C; point the app at
    it with CREDLIFT_ISSUER_BASE_URL=http://HOST:PORT."""
    from credlift.errors import UserInputError
    from credlift.evals.issuer_simulator import IssuerBooks, IssuerSimulator
    from credlift.settings import get_settings
    from credlift.tools.registry import default_registry

    if state not in ("up", "down", "slow"):
        raise UserInputError(f"--state is up, down or slow, not '{state}'")
    books = IssuerBooks()
    for path in labels or []:
        books.add_labels(path)
    if from_registry:
        local = default_registry(get_settings().data_dir, get_settings().database_url)
        for entry in local.entries() if local is not None else []:
            books.add_entry(entry)
    simulator = IssuerSimulator(books, host=host, port=port, state=state, slow_s=slow_s)

    def announce(base_url: str) -> None:
        typer.echo(f"issuer simulator on {base_url} ({state}): {len(books.cet)} CET, {len(books.skill)} skill, "
                   f"{len(books.chsi)} CHSI records; Ctrl-C stops it")

    def stop(signum, frame) -> None:  # uvicorn shuts down first, then hands the signal on to this handler
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        simulator.serve_forever(on_listening=announce)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
    typer.echo("issuer simulator stopped")


def register(app: typer.Typer) -> None:
    app.add_typer(issuers_app, name="issuers")
