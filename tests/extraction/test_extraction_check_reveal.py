"""`credlift check --json` masks the holder's name and ID number unless --reveal, and --reveal is audited."""
from __future__ import annotations

import json


def test_names_are_masked_unless_revealed_and_revealing_is_audited(credlift_cli, data_dir, tmp_path):
    from credlift.agent.case_store import CaseStore
    from credlift.evals.synth.generate import SynthSpec, render_credential
    from credlift.settings import get_settings

    sample = render_credential(SynthSpec(type="cet4", seed=3, capture="scan"))
    photo = tmp_path / sample.label["file"]
    photo.write_bytes(sample.image_bytes)
    name, id_number = sample.label["fields"]["holder_name"], sample.label["fields"]["id_number"]

    code, out, _ = credlift_cli("check", str(photo), "--json")
    fields = json.loads(out)["credential"]["fields"]
    assert code == 0 and fields["holder_name"] and fields["holder_name"] != name
    assert name not in out and id_number not in out

    code, out, err = credlift_cli("check", str(photo), "--json", "--reveal")
    assert code == 0 and json.loads(out)["credential"]["fields"]["holder_name"] == name
    assert "audit" in err
    settings = get_settings()
    store = CaseStore(settings.database_url, settings.data_dir / "cases.sqlite3")
    assert any(e.action == "reveal_personal_data" and photo.name in e.detail for e in store.audit_log())
    store.close()
