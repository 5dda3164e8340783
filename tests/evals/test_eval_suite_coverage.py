"""The shipped dialogue suite covers what the product must handle, and its certificates never collide."""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import get_args

from credlift.evals.replay.format import InlineAccount, load_suite
from credlift.evals.synth.generate import TamperKind

SUITE = Path(__file__).resolve().parents[2] / "evals" / "dialogues"


def suite():
    return load_suite(SUITE)


def test_the_suite_has_at_least_fifty_dialogues_in_both_languages():
    dialogues = suite()
    assert len(dialogues) >= 50
    languages = {d.lang for d in dialogues}
    assert languages == {"zh", "en"}
    assert sum(d.lang == "en" for d in dialogues) >= 15


def test_every_credential_type_and_every_tamper_kind_is_uploaded():
    uploads = [t.upload.synth for d in suite() for t in d.turns if t.upload and t.upload.synth]
    from credlift.domain.credential import CREDENTIAL_TYPES

    assert {u.type for u in uploads} == set(CREDENTIAL_TYPES)  # every registered type, a new one included
    assert {u.tamper for u in uploads} == set(get_args(TamperKind))  # every tamper kind the generator draws
    assert {u.capture for u in uploads} == {"scan", "photo", "screenshot"}


def test_the_themes_are_all_present():
    folders = {d.source.parent.name for d in suite()}
    assert {"happy", "decline", "policy", "tamper", "documents", "staff", "appeal", "safety", "offtopic",
            "language"} <= folders
    actions = {t.staff.action for d in suite() for t in d.turns if t.staff}
    assert actions == {"approve_review", "decline_review", "reply", "take_over", "hand_back"}
    assert any(isinstance(d.account, InlineAccount) for d in suite())


def test_file_uploads_exist_next_to_their_dialogues():
    for dialogue in suite():
        for turn in dialogue.turns:
            if turn.upload and turn.upload.file:
                assert (dialogue.source.parent / turn.upload.file).is_file(), (dialogue.id, turn.upload.file)


def test_no_two_dialogues_draw_the_same_certificate():
    """The same drawing uploaded by two accounts is (rightly) a reused document; only one dialogue may use a seed."""
    owners: dict[tuple[str, int], set[str]] = defaultdict(set)
    for dialogue in suite():
        for turn in dialogue.turns:
            if turn.upload and turn.upload.synth:
                owners[(turn.upload.synth.type, turn.upload.synth.seed)].add(dialogue.id)
    shared = {key: ids for key, ids in owners.items() if len(ids) > 1}
    assert not shared


def test_injection_dialogues_forbid_echoing_the_amount():
    injections = [d for d in suite() if "injection" in d.tags]
    assert len(injections) >= 5
    assert any(t.upload for d in injections for t in d.turns), "injection in uploaded text is covered"
    for dialogue in injections:
        forbidden = list(dialogue.expect_final.reply_none) + [p for t in dialogue.turns if t.expect for p in t.expect.reply_none]
        assert forbidden, dialogue.id
