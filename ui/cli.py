"""The `credlift` command line. Each command lives in ui/commands/<name>.py and exposes `register(app)`.

The commands are found by their module names and a module is imported only when its command is resolved (run, or
listed by `--help`): importing the command line imports no command, so the offline ones (training, study,
loanbook, scorecard, synth, eval, bench, forensics train/calibrate/evaluate), which reach into training/ and evals/,
are never imported by the product (tests/foundation/test_cli_lazy.py).

Bad input gives a one-line error and a non-zero exit, never a traceback (set CREDLIFT_DEBUG=1 to see one).
"""
from __future__ import annotations

import importlib
import os
import pkgutil
import sys
from collections.abc import Iterator, MutableMapping
from functools import cache

import click
import typer
from typer.core import TyperGroup

from credlift.errors import CredliftError

COMMANDS_PACKAGE = "credlift.ui.commands"


def command_names() -> list[str]:
    """The commands, one per module of ui/commands (the module's name is the command's), read without importing."""
    commands = importlib.import_module(COMMANDS_PACKAGE)
    return sorted(m.name for m in pkgutil.iter_modules(commands.__path__) if not m.name.startswith("_"))


@cache
def load_command(name: str) -> click.Command:
    """Import ui/commands/<name>.py and build the click command its `register(app)` adds."""
    module = importlib.import_module(f"{COMMANDS_PACKAGE}.{name}")
    holder = typer.Typer()
    module.register(holder)
    command = typer.main.get_group(holder).commands.get(name)
    if command is None:
        raise RuntimeError(f"{COMMANDS_PACKAGE}.{name}.register() added no command named {name!r}")
    return command


class _LazyCommands(MutableMapping):
    """The group's commands: every name known from the start, each command imported on first lookup."""

    def __init__(self, eager: MutableMapping[str, click.Command]):
        self._loaded = dict(eager)
        self._names = set(command_names())

    def __getitem__(self, name: str) -> click.Command:
        if name not in self._loaded:
            if name not in self._names:
                raise KeyError(name)
            self._loaded[name] = load_command(name)
        return self._loaded[name]

    def __setitem__(self, name: str, command: click.Command) -> None:
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        self._names.discard(name)
        del self._loaded[name]

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._names | set(self._loaded)))

    def __len__(self) -> int:
        return len(self._names | set(self._loaded))


class LazyGroup(TyperGroup):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.commands = _LazyCommands(self.commands)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)  # names only; --help then looks each one up (and imports it) for its line


app = typer.Typer(
    name="credlift",
    cls=LazyGroup,
    help="credlift: credit-limit decisions from the credentials people hold.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _credlift() -> None:
    """credlift: credit-limit decisions from the credentials people hold."""


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
