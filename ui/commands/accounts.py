"""`credlift accounts`: the demo accounts, personal data masked."""
from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    @app.command("accounts")
    def accounts(as_json: bool = typer.Option(False, "--json", help="one JSON object per account per line")) -> None:
        """List the accounts (id, masked name, limit, thin-file or not)."""
        from credlift.settings import get_settings
        from credlift.tools.accounts import AccountStore, dumps_summary, summary_row

        settings = get_settings()
        store = AccountStore.for_settings(settings)
        profiles = store.list()
        if as_json:
            typer.echo(dumps_summary(profiles))
            return
        typer.echo(f"{'id':<22}{'name':<14}{'limit':>8}  {'util':>5}  thin-file  occupation")
        for profile in profiles:
            row = summary_row(profile)
            typer.echo(f"{row['id']:<22}{row['name']:<14}{row['limit']:>8}  {row['utilisation']:>5.2f}  "
                       f"{'yes' if row['thin_file'] else 'no':<9}  {row['occupation']}")
