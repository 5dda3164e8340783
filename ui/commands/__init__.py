"""One module per CLI command; each exposes `register(app: typer.Typer)`. Import heavy things inside the command."""
