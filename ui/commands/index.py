"""`credlift index`: rebuild the policy index (chromadb + keyword) from the corpus and parameters.yaml."""
from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    @app.command("index")
    def index(as_json: bool = typer.Option(False, "--json", help="print the build report as one JSON object")) -> None:
        """Rebuild the policy clause index and print what it holds."""
        from collections import Counter

        from credlift.knowledge import all_clauses, reset_caches
        from credlift.knowledge.index import rebuild_index
        from credlift.settings import get_settings

        reset_caches()
        report = rebuild_index(get_settings())
        if as_json:
            typer.echo(report.model_dump_json())
            return
        topics = Counter(clause.topic for clause in all_clauses())
        typer.echo(f"policy index rebuilt in {report.seconds:.2f} s at {report.path}")
        typer.echo(f"  clauses: {report.clauses}   documents (zh + en): {report.documents}")
        typer.echo(f"  embeddings: {report.embedding_backend}")
        typer.echo("  by topic: " + ", ".join(f"{topic} {count}" for topic, count in sorted(topics.items())))
