"""`credlift apply --account ID FILE --json`: the whole decision for one certificate, without chat."""
from __future__ import annotations

import json
from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    @app.command("apply", epilog="Exit codes: 0 a decision was made (increase, decline or review); 2 bad input or "
                                 "the file was refused (message on stderr); 1 an unexpected error.")
    def apply(file: Path = typer.Argument(..., help="certificate photo (JPG/PNG)"),
              account: str = typer.Option(..., "--account", help="account id (see `credlift accounts`)"),
              lang: str = typer.Option("zh", "--lang", help="language of the explanation: zh or en"),
              as_json: bool = typer.Option(False, "--json", help="print the decision as one JSON object")) -> None:
        """Run intake, authenticity, extraction, validation, risk and the policy engine on FILE for ACCOUNT.
        A refused file exits 2 and is not stored."""
        from credlift.agent.service import CredliftService
        from credlift.errors import UserInputError
        from credlift.tools.intake import precheck, read_capped

        if lang not in ("zh", "en"):
            raise UserInputError("--lang must be zh or en")
        data = read_capped(file)  # stat first (regular file, size), then a capped read
        precheck(data, file.name)  # header budgets before anything is decoded or stored
        service = CredliftService()
        try:
            started = service.start(account, lang=lang)
            result = service.upload(started.thread_id, [(file.name, data)])
            view = service.case_view(result.case_id, staff_user="cli-apply") if result.case_id else None
            record = decision_record(file, account, result, view)
        finally:
            service.close()
        if as_json:
            typer.echo(json.dumps(record, ensure_ascii=False))
        else:
            from credlift.agent.wording import applicant_text

            for reply in result.replies:
                typer.echo(applicant_text(reply, result.language))
        if record["error"] and not result.decision:  # refused later in the pipeline (could not be decoded)
            raise UserInputError(f"the file was refused: {record['error']}")


def decision_record(file: Path, account: str, result, view) -> dict:
    """The decision JSON: outcome, amounts, reasons and clauses; personal data masked (the case view masks it)."""
    from credlift.domain.applicant import redact_id_numbers

    decision = result.decision
    upload = view.uploads[-1] if view and view.uploads else None
    record: dict = {
        "file": str(file), "account": account, "thread_id": result.thread_id, "case_id": result.case_id,
        "decision": decision.kind if decision else "none",
        "increase": decision.increase if decision else 0,
        "current_limit": decision.current_limit if decision else None,
        "new_limit": decision.new_limit if decision else None,
        "reason_codes": [r.code for r in decision.reason_codes] if decision else [],
        "clause_ids": list(decision.clause_ids) if decision else [],
        "policy_version": decision.policy_version if decision else None,
        "awaiting": result.awaiting,
        "nodes_run": list(result.nodes_run),
        "credential": ({"type": upload.credential.type, "fields": upload.credential.fields}
                       if upload and upload.credential else None),
        "authenticity": ({"verdict": upload.authenticity.verdict, "score": round(upload.authenticity.score, 4)}
                         if upload and upload.authenticity else None),
        "error": upload.error if upload else "",
        "replies": [redact_id_numbers(r) for r in result.replies],
        "latency_s": result.latency_s,
    }
    return record
