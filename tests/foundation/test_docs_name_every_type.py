"""The documents that list credential types list every registered one (tools/credentials), by the registry's own
names, codes, modules and levels: a type added to the registry and left out of a list fails here, with the line
to write."""
from __future__ import annotations

import re
from pathlib import Path

from credlift.tools.credentials import SPECS

ROOT = Path(__file__).resolve().parents[2]


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _between(text: str, start: str, end: str) -> str:
    assert start in text, start
    rest = text[text.index(start):]
    assert end in rest, end
    return rest[:rest.index(end)]


def loan_book_type_row() -> str:
    codes = ", ".join(f"`{kind}`" for kind in SPECS)
    return f"| credential_type | str | `none`, or a registered type (`tools/credentials`): {codes} | yes |"


def loan_book_level_line(kind: str) -> str:
    spec = SPECS[kind]
    return f"- `{kind}`: " + ", ".join(f"`{level}`" for level in spec.levels_low_to_high) + f" (`{spec.level_field}`)"


def test_the_readme_opening_names_every_registered_type():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    opening = _flat(_between(readme, "People with thin credit files", "Every upload answers")).lower()
    missing = [spec.name_en for spec in SPECS.values() if spec.name_en.lower() not in opening]
    assert not missing, f"README.md's opening does not name: {missing}"
    count = {16: "sixteen"}.get(len(SPECS), str(len(SPECS)))
    assert f"reads {count} kinds" in opening


def test_the_architecture_names_every_type_module():
    architecture = _flat((ROOT / "docs" / "architecture.md").read_text(encoding="utf-8"))
    section = _between(architecture, "Each credential type is one module", "holding a `CredentialSpec`")
    for kind, spec in SPECS.items():
        assert (ROOT / "tools" / "credentials" / f"{kind}.py").exists(), kind
        assert f"`{kind}.py`" in section, kind


def test_the_loan_book_documents_every_type_and_its_levels():
    loan_book = (ROOT / "training" / "risk" / "LOANBOOK.md").read_text(encoding="utf-8")
    assert loan_book_type_row() in loan_book.splitlines(), f"write: {loan_book_type_row()}"
    for kind in SPECS:
        assert loan_book_level_line(kind) in loan_book.splitlines(), f"write: {loan_book_level_line(kind)}"


def test_the_dialogue_guide_lists_every_synth_type():
    guide = _flat((ROOT / "evals" / "README.md").read_text(encoding="utf-8"))
    listed = "`type` (" + " | ".join(SPECS) + ")"
    assert listed in guide, f"write: {listed}"


def test_the_synth_guide_lists_every_type_code():
    guide = _flat((ROOT / "evals" / "synth" / "README.md").read_text(encoding="utf-8"))
    listed = "Types (`--types`): " + ", ".join(f"`{kind}`" for kind in SPECS) + "."
    assert listed in guide, f"write: {listed}"


def test_the_demo_trade_accounts_hold_a_trade_the_registry_knows():
    """tools/data/demo_accounts.yaml: each trade the README's opening names has a demo account whose occupation is
    a trade of a registered type (the assistant lists that type's proofs to them, agent/responders/templates.py)."""
    import yaml

    from credlift.tools.accounts import DEMO_ACCOUNTS_FILE

    accounts = yaml.safe_load(DEMO_ACCOUNTS_FILE.read_text(encoding="utf-8"))["accounts"]
    occupation = {account["account_id"]: account.get("occupation", "") for account in accounts}
    readme = _flat((ROOT / "README.md").read_text(encoding="utf-8"))
    for account_id, people, proof in (("demo-rider-01", "delivery riders", "rider_profile"),
                                      ("demo-driver-01", "ride-hailing drivers", "driver_permit"),
                                      ("demo-freelancer-01", "freelancers", "creator_profile")):
        assert people in readme
        assert occupation[account_id] in SPECS[proof].trades, (account_id, proof)


def test_the_vision_prompt_names_every_type_in_both_languages():
    """The vision model's instructions (prompts/<lang>/vlm_extraction.yaml) list the registry's types, not a list
    of their own; a permit is a registered type, not 'other'."""
    from credlift.prompts import load

    for lang, index in (("en", 0), ("zh", 1)):
        system = load("vlm_extraction", lang)["system"]
        for spec in SPECS.values():
            assert (spec.name_en, spec.name_zh)[index] in system, (lang, spec.type)
