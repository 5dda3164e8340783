"""The `credlift` command line. Each command lives in ui/commands/<name>.py and exposes `register(app)`.

Bad input gives a one-line error and a non-zero exit, never a traceback (set CREDLIFT_DEBUG=1 to see one).
"""
from __future__ import annotations

import importlib
import os
import pkgutil
import sys

import typer

from credlift.errors import CredliftError

app = typer.Typer(
    name="credlift",
    help="credlift: credit-limit decisions from the credentials people hold.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _register_commands() -> None:
    from credlift.ui import commands

    for module_info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        if module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"credlift.ui.commands.{module_info.name}")
        module.register(app)


_register_commands()


def main() -> None:
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    try:
        code = app(standalone_mode=False)  # click returns typer.Exit's code here instead of exiting
        if isinstance(code, int) and code:
            sys.exit(code)
    except CredliftError as error:
        typer.echo(f"error: {error}", err=True)
        sys.exit(2)
    except typer.Exit as exit_:
        sys.exit(exit_.exit_code)
    except typer.Abort:
        typer.echo("error: aborted", err=True)
        sys.exit(130)
    except Exception as error:  # click usage errors and anything unexpected: one line, never a traceback
        if hasattr(error, "format_message") and hasattr(error, "exit_code"):  # click/typer usage errors
            typer.echo(f"error: {error.format_message()}", err=True)
            sys.exit(error.exit_code or 2)
        if os.environ.get("CREDLIFT_DEBUG"):
            raise
        typer.echo(f"error: {type(error).__name__}: {error}", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
