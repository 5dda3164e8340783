"""`credlift chat`: the applicant conversation in a terminal (same graph, same checkpoints as the web app)."""
from __future__ import annotations

import shlex
from pathlib import Path

import typer

HELP = "commands: /upload PATH [PATH...]  /lang zh|en  /status  /quit"


def register(app: typer.Typer) -> None:
    @app.command("chat")
    def chat(account: str = typer.Option(..., "--account", help="account id (see `credlift accounts`)"),
             lang: str = typer.Option("zh", "--lang", help="zh or en"),
             thread: str = typer.Option(None, "--thread", help="continue an earlier conversation")) -> None:
        """Chat with the assistant in the terminal; /upload PATH sends a certificate photo, /quit leaves."""
        from credlift.agent.service import CredliftService
        from credlift.errors import UserInputError

        if lang not in ("zh", "en"):
            raise UserInputError("--lang must be zh or en")
        service = CredliftService()
        try:
            result = service.start(account, lang=lang, thread_id=thread)
            typer.echo(f"(thread {result.thread_id}: use --thread {result.thread_id} to continue later; {HELP})")
            _show(result)
            while True:
                try:
                    line = input("> ").strip()
                except (EOFError, KeyboardInterrupt):
                    break
                if not line:
                    continue
                if line in ("/quit", "/exit"):
                    break
                try:
                    result = _turn(service, result.thread_id, line)
                except UserInputError as error:
                    typer.echo(f"error: {error}", err=True)
                    continue
                if result is not None:
                    _show(result)
        finally:
            service.close()


def _turn(service, thread_id: str, line: str):
    from credlift.errors import UserInputError

    if line.startswith("/upload"):
        paths = [Path(p).expanduser() for p in shlex.split(line)[1:]]
        if not paths:
            raise UserInputError("usage: /upload PATH [PATH...]")
        missing = [str(p) for p in paths if not p.is_file()]
        if missing:
            raise UserInputError(f"no such file: {', '.join(missing)}")
        return service.upload(thread_id, [(p.name, p.read_bytes()) for p in paths],
                              on_progress=lambda text: typer.echo(f"  … {text}"))
    if line.startswith("/lang"):
        parts = line.split()
        service.set_language(thread_id, parts[1] if len(parts) > 1 else "")
        typer.echo(f"(language: {parts[1]})")
        return None
    if line == "/status":
        return service.status(thread_id)
    if line.startswith("/"):
        raise UserInputError(HELP)
    return service.send(thread_id, line)


def _show(result) -> None:
    from credlift.agent.wording import applicant_text

    for reply in result.replies:
        typer.echo(f"credlift: {applicant_text(reply, result.language)}")
    if result.awaiting == "review":
        typer.echo("(a colleague is reviewing the document)")
    elif result.awaiting == "staff":
        typer.echo("(a colleague is handling this conversation)")
