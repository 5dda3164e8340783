"""One home per credential type (tools/credentials): the tables the extraction, the policy engine and the risk
model read are derived from the specs, and a type registered from elsewhere (one module + one line) is in all of
them, classified and parsed."""
from __future__ import annotations

import pytest

from credlift.domain.credential import CREDENTIAL_TYPES, OcrLine


@pytest.fixture
def toy():
    from credlift.tools import credentials
    import toy_credential  # tests/extraction/toy_credential.py (the test folder is on the path)

    credentials.register(toy_credential.SPEC)  # the one line
    yield toy_credential.SPEC
    credentials.unregister("toy_licence")


def _page(*texts: str):
    from credlift.tools.extraction.parsers import PageLayout

    return PageLayout([OcrLine(text=text, confidence=0.95, box=(10, 40 * i, 300, 30)) for i, text in enumerate(texts)])


def test_every_accepted_type_has_one_spec_and_the_engine_reads_the_registry():
    from credlift.tools import credentials, limits
    from credlift.tools.extraction import parsers
    from credlift.tools.extraction.backends import ocr_backend
    from credlift.tools.risk import features, reasoning

    assert tuple(credentials.SPECS) == CREDENTIAL_TYPES
    # the copies are gone: every consumer holds the registry's own table
    assert limits.INCREASE_CLAUSE is credentials.INCREASE_CLAUSE is reasoning._INCREASE_CLAUSE
    assert limits.TYPE_NAMES is credentials.TYPE_NAMES and limits.LEVEL_NAMES is credentials.LEVEL_NAMES
    assert limits.LEVEL_FIELDS is credentials.LEVEL_FIELDS is features._LEVEL_FIELD
    assert features._LEVEL_ALIASES is credentials.LEVEL_ALIASES
    assert ocr_backend.KEY_FIELDS is credentials.KEY_FIELDS and parsers.PARSERS is credentials.PARSERS
    for spec in credentials.SPECS.values():
        assert spec.increase_clause in limits.POLICY_CLAUSE_IDS
        assert parsers.parser_for(spec.type).credential_type in (spec.type, "cet4")  # one CET parser reads both


def test_a_type_registered_from_a_test_module_is_classified_and_parsed(toy):
    from credlift.tools import credentials, limits
    from credlift.tools.extraction.classify import classify_page
    from credlift.tools.extraction.parsers import parser_for

    page = _page("玩具飞行执照", "持证人：林晓雨", "编号：TOY-123456")
    assert classify_page(page).credential_type == "toy_licence"
    parsed = parser_for("toy_licence").parse(page)
    assert parsed.get("holder_name") == "林晓雨" and parsed.get("certificate_number") == "TOY-123456"
    assert limits.TYPE_NAMES["toy_licence"] == ("toy pilot licence", "玩具飞行执照")
    assert limits.LEVEL_NAMES[("toy_licence", "a")] == ("class A", "甲类")
    assert limits.INCREASE_CLAUSE["toy_licence"] == "INC-TOY"
    from credlift.tools.risk.features import _LEVEL_ALIASES

    assert _LEVEL_ALIASES["toy_licence"] == {"甲类": "a"}
    credentials.unregister("toy_licence")
    assert "toy_licence" not in limits.TYPE_NAMES and ("toy_licence", "a") not in limits.LEVEL_NAMES
    assert classify_page(page).credential_type != "toy_licence"


def test_the_built_in_types_are_still_told_apart():
    from credlift.tools.extraction.classify import classify_page

    assert classify_page(_page("大学英语六级考试", "成绩报告单", "听力")).credential_type == "cet6"
    assert classify_page(_page("全国大学英语四级考试", "成绩报告单")).credential_type == "cet4"
    assert classify_page(_page("学位证书", "授予 学士学位")).credential_type == "degree"
    assert classify_page(_page("证书编号 Y000033000000123123456")).credential_type == "vocational"
