"""`credlift synth`: synthetic credential images with ground-truth labels (labels.jsonl)."""
from __future__ import annotations

from pathlib import Path

import typer


def _split(values: list[str] | None) -> list[str] | None:
    """--types cet4,cet6 and --types cet4 --types cet6 both work."""
    if not values:
        return None
    return [item.strip() for value in values for item in value.split(",") if item.strip()]


def register(app: typer.Typer) -> None:
    @app.command("synth")
    def synth(
        out: Path = typer.Option(..., "--out", help="directory for the images and labels.jsonl"),
        n: int = typer.Option(200, "--n", help="number of images"),
        seed: int = typer.Option(1, "--seed", help="same seed, same bytes"),
        types: list[str] = typer.Option(None, "--types", help="credential types, e.g. cet4,cet6,graduation (default: all)"),
        capture: str = typer.Option("mixed", "--capture", help="scan | photo | screenshot | scanner_app | pdf_render | mixed | varied (varied: scanner apps, PDF renders and after-chains: chat apps, re-saves, screenshots)"),
        tamper_rate: float = typer.Option(
            0.0, "--tamper-rate", help="share of forged images, 0..1 (0: every image honest; 0.3: about 3 in 10 "
                                       "forged with one of --tamper-kinds; labels.jsonl says which)"),
        tamper_kinds: list[str] = typer.Option(
            None, "--tamper-kinds", help="copy_move,splice,retype,erase,metadata,ai_generated (default: all but ai_generated)"),
        workers: int = typer.Option(0, "--workers", help="processes (0: one per CPU core)"),
        holder_from_account: str = typer.Option(
            "", "--holder-from-account", help="print this account's holder (name, ID number, birth date, gender) on "
                                              "every certificate, e.g. demo-graduate-01 (see `credlift accounts`)"),
    ) -> None:
        """Generate certificate images (CET, graduation, degree, vocational, award, qualification) with labels."""
        import time

        from credlift.errors import UserInputError

        if seed < 0:
            raise UserInputError(f"seed must be zero or positive, not {seed}.")
        if workers < 0:
            raise UserInputError(f"workers must be zero or positive, not {workers}.")
        from credlift.evals.synth import generate_dataset

        fields_by_type, holder = None, None
        if holder_from_account:
            fields_by_type, holder = _holder_fields(holder_from_account.strip(), _split(types))
        started = time.perf_counter()
        labels = generate_dataset(out, n=n, seed=seed, types=_split(types), capture=capture, tamper_rate=tamper_rate,
                                  tamper_kinds=_split(tamper_kinds), workers=workers or None,
                                  fields_by_type=fields_by_type)
        tampered = sum(1 for row in labels if row["tampered"])
        typer.echo(f"wrote {len(labels)} images ({tampered} tampered) and labels.jsonl to {out} "
                   f"in {time.perf_counter() - started:.1f} s")
        if holder is not None and labels:
            typer.echo(f"holder: {holder.masked_name} ({holder.account_id}); try: credlift apply --account "
                       f"{holder.account_id} {Path(out) / labels[0]['file']}")


def _holder_fields(account_id: str, types: list[str] | None) -> tuple[dict[str, dict], object]:
    """Per credential type, the account holder's fields that type's certificate prints, and the holder."""
    from credlift.settings import get_settings
    from credlift.tools.accounts import AccountStore

    store = AccountStore.for_settings(get_settings())
    try:
        profile = store.get(account_id)  # NotFoundError: a sentence naming `credlift accounts`
    finally:
        store.close()
    return holder_fields(profile, types), profile


def holder_fields(profile, types: list[str] | None = None) -> dict[str, dict]:
    """Per credential type (default: every registered one), the fields a certificate of that type prints about
    this account holder: name, ID number, birth date, gender, and dates that fit the holder's age."""
    from credlift.domain.credential import CREDENTIAL_TYPES
    from credlift.evals.replay.runner import account_fields

    return {t: {**account_fields(t, profile), **_plausible_dates(t, profile)} for t in (types or CREDENTIAL_TYPES)}


def _plausible_dates(credential_type: str, profile) -> dict[str, str]:
    """Dates that fit the holder's age (a bachelor's at 22, CET at 20, never in the future), so the certificate
    passes the consistency checks that compare its dates with the holder's birth date."""
    from datetime import date

    from stdnum.cn import ric

    from credlift.evals.synth.templates import get_template

    if not ric.is_valid(profile.id_number):
        return {}
    born = ric.get_birth_date(profile.id_number).year
    last = date.today().year - 1
    names = set(get_template(credential_type).field_names)
    if "valid_until" in names:  # a credential with a validity period: its template draws a current one
        return {}
    if get_template(credential_type).native_capture:  # an app's page: its dates are the account's, not a diploma's
        return {}
    dates = {"issue_date": f"{min(born + 22, last)}-06-30", "exam_session": f"{min(born + 20, last)}-06",
             "study_end": f"{min(born + 22, last)}-06-30"}
    if credential_type == "cet4" or credential_type == "cet6":
        dates["issue_date"] = dates["exam_session"]
    if credential_type == "graduation":
        dates["level"] = "bachelor"
    if credential_type == "degree":
        dates["degree_level"] = "bachelor"
    return {key: value for key, value in dates.items() if key in names}
