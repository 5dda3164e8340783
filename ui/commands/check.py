"""`credlift check FILE... --json`: authenticity, credential fields and validation for each file."""
from __future__ import annotations

import json
from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    @app.command("check")
    def check(files: list[Path] = typer.Argument(..., help="photos of credentials (JPEG, PNG, ...)"),
              as_json: bool = typer.Option(False, "--json", help="one JSON object per file per line"),
              account: str = typer.Option("", "--account", help="compare the holder with this account's verified name"),
              reveal: bool = typer.Option(False, "--reveal", help="print names and ID numbers unmasked (written to "
                                                                  "the audit log)"),
              use_ray: bool = typer.Option(False, "--ray", help="with a folder: check its files on Ray (Ray Data; "
                                           "CREDLIFT_RAY_ADDRESS, or a local instance when unset)"),
              out: Path = typer.Option(None, "--out", help="with a folder: the JSONL results, resumable "
                                       "(default: FOLDER.check.jsonl here)")) -> None:
        """Check credential photos: is it real, what does it say, does it hold together. Names and ID numbers are
        masked unless --reveal. Given a folder (an archive, after a detector update), every file in it is checked
        into a JSONL file keyed by content hash; a second run skips what is done."""
        from credlift.settings import get_settings
        from credlift.tools.extraction.check import check_file
        from credlift.tools.issuers import registry_for

        settings = get_settings()
        applicant = None
        if account:
            from credlift.tools.accounts import AccountStore

            applicant = AccountStore.for_settings(settings).get(account)
        if any(path.is_dir() for path in files):
            _check_archive(settings, files, applicant, use_ray, out, reveal)
            return
        if use_ray or out is not None:
            from credlift.errors import UserInputError

            raise UserInputError("--ray and --out are for a folder of uploads (credlift check DIR --ray)")
        registry = registry_for(settings)  # the issuers over HTTP when configured, else the local table
        readable = 0
        if reveal:
            _audit_reveal(settings, files)
        for path in files:
            result = check_file(path, applicant=applicant, data_dir=settings.data_dir, registry=registry)
            readable += result.readable
            line = result.contract() if reveal else masked(result.contract(), applicant.name if applicant else "")
            if as_json:
                typer.echo(json.dumps(line, ensure_ascii=False))
            else:
                typer.echo(_describe(line))
        if readable == 0:
            from credlift.errors import UserInputError

            raise UserInputError("none of the files could be read as a credential photo" if len(files) > 1
                                 else "the file could not be read as a credential photo")


def _check_archive(settings, paths: list[Path], applicant, use_ray: bool, out: Path | None, reveal: bool) -> None:
    """`credlift check DIR [--ray] [--out FILE]`: tools/extraction/recheck.py; progress on stderr, the summary on
    stdout."""
    from credlift.errors import UserInputError
    from credlift.tools.extraction.recheck import recheck

    if len(paths) != 1:
        raise UserInputError("give one folder (or files, not both)")
    directory = paths[0]
    output = out if out is not None else Path(f"{directory.resolve().name}.check.jsonl")
    if use_ray and not settings.ray_address:
        settings = settings.model_copy(update={"ray_address": "local"})
    if reveal:
        _audit_reveal(settings, paths)
    name = applicant.name if applicant else ""
    summary = recheck(directory, output, settings, applicant=applicant, use_ray=use_ray,
                      render=(lambda line: line) if reveal else (lambda line: masked(line, name)),
                      progress=lambda line: typer.echo(line, err=True))
    verdicts = ", ".join(f"{verdict} {count}" for verdict, count in sorted(summary.verdicts.items()))
    typer.echo(f"{summary.files} files: {summary.checked} checked ({verdicts or 'none'}), {summary.skipped} skipped "
               f"(already checked by {summary.detector}); results in {summary.output}")
    if summary.checked and summary.unreadable == summary.checked and not summary.skipped:
        raise UserInputError("none of the files could be read as a credential photo")


def masked(line: dict, account_name: str = "") -> dict:
    """The line with the holder's (and the account's) name masked and every resident ID number masked."""
    from credlift.redaction import redact

    from credlift.redaction import mask_personal_fields

    fields = ((line.get("credential") or {}).get("fields") or {})
    names = [str(fields.get("holder_name") or ""), account_name]
    if fields.get("verification_code"):  # it opens the holder's record online: shown like a number, masked
        line = {**line, "credential": {**line["credential"],
                                       "fields": mask_personal_fields(fields, keys=("verification_code",))}}
    return json.loads(redact(json.dumps(line, ensure_ascii=False), names))


def _audit_reveal(settings, files: list[Path]) -> None:
    """--reveal is recorded: who (the OS user), when, which files."""
    import getpass

    from credlift.agent.case_store import CaseStore

    store = CaseStore(settings.database_url, settings.data_dir / "cases.sqlite3")
    try:
        store.audit(f"cli:{getpass.getuser()}", "reveal_personal_data", None,
                    "credlift check --reveal " + " ".join(str(f) for f in files)[:400])
    finally:
        store.close()
    typer.echo("note: names and ID numbers shown unmasked; this is recorded in the audit log", err=True)


def _describe(line: dict) -> str:
    if line.get("error"):
        return f"{line['file']}: unreadable: {line['error']}"
    authenticity, credential, validation = line["authenticity"], line["credential"], line["validation"]
    parts = [f"{line['file']}: {credential['type']}, authenticity {authenticity['verdict']} ({authenticity['score']:.2f})",
             "  fields: " + ", ".join(f"{k}={v}" for k, v in credential["fields"].items())]
    if validation["errors"]:
        parts.append("  problems: " + "; ".join(e["message"] for e in validation["errors"]))
    for warning in credential.get("warnings", []):
        parts.append(f"  note: {warning}")
    if authenticity.get("skipped"):
        parts.append(f"  checks not run ({len(authenticity['skipped'])}, they could not change the verdict): "
                     + ", ".join(authenticity["skipped"]))
    parts.append(f"  time: {line['timings_ms'].get('total', 0):.0f} ms")
    return "\n".join(parts)
