"""Personal data at rest: after a full dialogue (typed ID number, certificate upload, questions, a staff reply)
no file under the data directory holds a full ID number or the holder's name in plaintext; the key file is
created with mode 0600; the stores still read back what they wrote."""
from __future__ import annotations

import json
import stat

from credlift.agent.contracts import ChatMessage

NAME, ID = "林晓雨", "110105199912310022"


def _forms(text: str) -> list[bytes]:
    """The ways a string can sit in a file: UTF-8, JSON ASCII escapes, UTF-16."""
    return [text.encode("utf-8"), json.dumps(text)[1:-1].encode("ascii"), text.encode("utf-16-le")]


def test_no_id_number_or_name_in_plaintext_under_the_data_directory(tmp_path, certificate):
    from credlift.agent.service import CredliftService
    from credlift.settings import Settings

    data_dir = tmp_path / "data"
    service = CredliftService(Settings(data_dir=data_dir))
    try:
        profile = next(p for p in service.accounts() if p.account_id == "demo-graduate-01")
        profile = service.create_account(profile.model_copy(update={"account_id": "t-at-rest", "name": NAME,
                                                                    "id_number": ID}))
        thread_id = service.start(profile.account_id).thread_id
        service.send(thread_id, f"我是{NAME}，我的身份证号是{ID}，帮我查")
        result = service.upload(thread_id, [("cet6.jpg", certificate(NAME, seed=27, total_score=561))])
        assert result.decision is not None
        service.send(thread_id, "为什么是这个额度？")
        service.staff_reply(result.case_id, "helpdesk", f"{NAME}您好，已核对 {ID}")
        # what was written reads back (decrypted) through the stores
        assert service.services.accounts.get("t-at-rest").id_number == ID
        assert any(NAME in m.text for m in service.transcript(thread_id) if m.role == "staff")
        assert service.services.accounts.accounts_of_person(ID)[:1] and \
            "t-at-rest" in service.services.accounts.accounts_of_person(ID)
        revealed = service.case_view(result.case_id, "helpdesk", reveal=True)
        assert revealed.applicant["name"] == NAME
    finally:
        service.close()

    key_file = data_dir / "keys" / "data.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    files = [path for path in data_dir.rglob("*") if path.is_file()]
    assert len(files) >= 5
    found = []
    for path in files:
        content = path.read_bytes()
        for secret in (ID, NAME):
            if any(form in content for form in _forms(secret)):
                found.append((str(path.relative_to(data_dir)), secret))
    assert not found, found
    # the certificate photo and its heatmap show the person's name and ID: sealed too, no readable image on disk
    stored = [p for p in files if p.parent.parent.name == "uploads" or p.parent.name == "overlays"]
    assert len(stored) >= 2
    pictures = [str(p.relative_to(data_dir)) for p in files
                if p.read_bytes()[:8].startswith((b"\xff\xd8\xff", b"\x89PNG", b"%PDF", b"GIF8", b"RIFF"))]
    assert pictures == []


def test_rows_written_before_encryption_are_still_read(tmp_path):
    from credlift.agent.case_store import CaseStore

    store = CaseStore("", tmp_path / "cases.sqlite3")
    case_id = store.open_case("thread-1", "acct", "林**")
    store._db.execute("INSERT INTO side_messages (message_id, case_id, role, author, text, at) VALUES (?, ?, ?, ?, ?, ?)",
                      ("old", case_id, "staff", "helpdesk", "plain text from before", "2026-01-01T00:00:00+00:00"))
    store.add_side_message(case_id, ChatMessage(role="staff", text="sealed now", author="helpdesk"))
    raw = [row[0] for row in store._db.execute("SELECT text FROM side_messages ORDER BY at")]
    assert raw[0] == "plain text from before" and raw[1].startswith("enc:v1:")
    assert [m.text for m in store.side_messages(case_id)] == ["plain text from before", "sealed now"]
    store.close()
