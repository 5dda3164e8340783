"""One module per CLI command, named as the command; each exposes `register(app: typer.Typer)`. ui/cli.py imports a
module only when its command is resolved, so import heavy things (and anything from training/ or evals/) inside the
command."""
