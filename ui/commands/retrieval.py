"""`credlift retrieval evaluate`: recall@1/@3 and MRR of hybrid, keyword-only and dense-only retrieval."""
from __future__ import annotations

from pathlib import Path

import typer

retrieval_app = typer.Typer(help="Policy retrieval tools.", no_args_is_help=True)


@retrieval_app.command("evaluate")
def evaluate(
    queries: Path = typer.Option(None, "--queries", help="labelled query YAML (default evals/retrieval/queries.yaml)"),
    as_json: bool = typer.Option(False, "--json", help="print the evaluation as one JSON object"),
    show_misses: bool = typer.Option(False, "--misses", help="list the queries hybrid retrieval missed at 3"),
) -> None:
    """Score the retrievers on the labelled query set, side by side."""
    from credlift.evals.retrieval import evaluate_retrieval

    evaluation = evaluate_retrieval(queries)
    if as_json:
        typer.echo(evaluation.model_dump_json())
        return
    typer.echo(f"{evaluation.queries} queries, {evaluation.clauses} clauses, embeddings {evaluation.embedding_backend}")
    typer.echo(f"{'mode':<9}{'recall@1':>10}{'recall@3':>10}{'MRR':>8}{'zh@3':>8}{'en@3':>8}{'ms/query':>10}")
    for mode, scores in evaluation.modes.items():
        typer.echo(f"{mode:<9}{scores.recall_at_1:>10.3f}{scores.recall_at_3:>10.3f}{scores.mrr:>8.3f}"
                   f"{scores.by_lang.get('zh', 0.0):>8.3f}{scores.by_lang.get('en', 0.0):>8.3f}{scores.mean_latency_ms:>10.1f}")
    if show_misses:
        for miss in evaluation.hybrid.misses_at_3:
            typer.echo(f"  miss: {miss}")


@retrieval_app.command("search")
def search(
    query: str = typer.Argument(..., help="a question, in Chinese or English"),
    lang: str = typer.Option("zh", "--lang", help="zh or en: the language to show the clauses in"),
    k: int = typer.Option(3, "-k", min=1, max=20, help="how many clauses"),
    topic: list[str] = typer.Option(None, "--topic", help="only clauses of this topic (repeatable)"),
) -> None:
    """Show the clauses retrieval returns for a question."""
    from credlift.errors import UserInputError
    from credlift.knowledge import retrieve

    if lang not in ("zh", "en"):
        raise UserInputError("--lang must be zh or en.")
    for item in retrieve(query, lang=lang, k=k, topics=topic or None):
        title = item.clause.title_zh if lang == "zh" else item.clause.title_en
        typer.echo(f"{item.rank}. [{item.clause.id}] {title}  (score {item.score:.4f}, {'+'.join(item.matched_by)})")
        typer.echo(f"   {item.clause.text(lang)}")


def register(app: typer.Typer) -> None:
    app.add_typer(retrieval_app, name="retrieval")
