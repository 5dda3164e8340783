"""The policy corpus: enough clauses, the ids the team relies on, both languages, and no figure of its own."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from credlift.knowledge import all_clauses, get_clause
from credlift.knowledge.render import (PLACEHOLDER_PATTERN, CorpusError, load_templates, placeholder_values,
                                       render_clauses)
from credlift.tools.policy_parameters import PARAMETERS_FILE, load_policy_parameters

REQUIRED_IDS = (
    "INC-CET4 INC-CET6 INC-GRAD INC-DEG INC-VOC INC-AWD INC-QUAL INC-RECENCY RISK-PD CAP-UTIL CAP-DELINQ "
    "CAP-INCOME CAP-TYPE CAP-ONCE CAP-COOLDOWN DOC-AUTH DOC-VALID DOC-NAME DOC-PHOTO DOC-TYPES REV-MANUAL "
    "REV-APPEAL PRIV-DATA PRIV-RETAIN BUD-ADVICE HUMAN-HELP").split()
CJK = re.compile(r"[\u4e00-\u9fff]")
# Credential names carry digits that are not policy figures.
NAMED_DIGITS = re.compile(r"CET-?[46]|Band [46]")
NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _changed_parameters(tmp_path: Path, mutate) -> Path:
    raw = yaml.safe_load(PARAMETERS_FILE.read_text(encoding="utf-8"))
    mutate(raw)
    path = tmp_path / "parameters.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def test_the_corpus_holds_at_least_sixty_clauses_across_the_topics():
    clauses = all_clauses()
    assert len(clauses) >= 60
    assert {"increase", "caps", "risk", "documents", "photo", "review", "privacy", "budget", "help", "faq",
            "eligibility"} <= {clause.topic for clause in clauses}
    assert len({clause.id for clause in clauses}) == len(clauses)


@pytest.mark.parametrize("clause_id", REQUIRED_IDS)
def test_every_clause_id_the_team_cites_exists(clause_id):
    assert get_clause(clause_id).id == clause_id


def test_every_clause_has_chinese_and_english_title_and_text():
    for clause in all_clauses():
        assert CJK.search(clause.title_zh) and CJK.search(clause.text_zh), clause.id
        assert not CJK.search(clause.title_en) and not CJK.search(clause.text_en), clause.id
        assert len(clause.text_zh) >= 30 and len(clause.text_en.split()) >= 15, clause.id
        assert clause.text("zh") == clause.text_zh and clause.text("en") == clause.text_en


def test_no_placeholder_is_left_unrendered_and_every_clause_carries_the_policy_version():
    version = load_policy_parameters().policy_version
    for clause in all_clauses():
        for text in (clause.title_zh, clause.title_en, clause.text_zh, clause.text_en):
            assert not PLACEHOLDER_PATTERN.search(text), clause.id
        assert clause.policy_version == version


def test_increase_clauses_quote_the_engine_parameters():
    parameters = load_policy_parameters()
    cet6 = get_clause("INC-CET6")
    for tier in parameters.credential_increase.cet6:
        assert str(tier.min_score) in cet6.text_en and str(tier.increase) in cet6.text_en
        assert str(tier.increase) in cet6.text_zh
    assert f"{parameters.cooldown_days} days" in get_clause("CAP-COOLDOWN").text_en
    assert f"{round(parameters.max_utilisation_for_increase * 100)}%" in get_clause("CAP-UTIL").text_en
    for cap in parameters.total_limit_cap_by_income.values():
        assert str(cap) in get_clause("CAP-INCOME").text_zh


def test_changing_one_parameter_changes_the_clause_text(tmp_path):
    def raise_cet6(raw):
        raw["credential_increase"]["cet6"][0]["increase"] = 3300
        raw["cooldown_days"] = 120

    changed = render_clauses(parameters=load_policy_parameters(_changed_parameters(tmp_path, raise_cet6)))
    by_id = {clause.id: clause for clause in changed}
    original = get_clause("INC-CET6")
    assert "3300" in by_id["INC-CET6"].text_en and "3300" in by_id["INC-CET6"].text_zh
    assert "3300" not in original.text_en
    assert "120 days" in by_id["CAP-COOLDOWN"].text_en
    assert by_id["INC-CET4"] == get_clause("INC-CET4")


def test_every_figure_in_a_clause_comes_from_the_parameters_or_service_terms():
    parameters = load_policy_parameters()
    allowed = {figure for value in placeholder_values().values() for figure in NUMBER.findall(value)}
    allowed |= set(parameters.credential_increase.vocational)
    for clause in all_clauses():
        for text in (clause.title_zh, clause.title_en, clause.text_zh, clause.text_en):
            for figure in NUMBER.findall(NAMED_DIGITS.sub("", text)):
                assert figure in allowed, f"{clause.id} quotes {figure}, which no parameter supplies"


def test_corpus_templates_write_no_digits_of_their_own():
    for template in load_templates():
        for field in ("title_zh", "title_en", "text_zh", "text_en"):
            literal = NAMED_DIGITS.sub("", PLACEHOLDER_PATTERN.sub("", template[field]))
            literal = re.sub(r"Level [1-5]\b", "", literal)
            assert not re.search(r"\d", literal), f"{template['id']}.{field} writes a figure instead of a placeholder"


def test_an_unknown_placeholder_or_a_duplicate_id_is_a_corpus_error(tmp_path):
    entry = {"id": "FAQ-X", "topic": "faq", "title_zh": "标题", "title_en": "Title", "text_zh": "正文 {no_such_value}",
             "text_en": "Text"}
    (tmp_path / "a.yaml").write_text(yaml.safe_dump({"clauses": [entry]}, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CorpusError, match="no_such_value"):
        render_clauses(corpus_dir=tmp_path)
    entry["text_zh"] = "正文"
    (tmp_path / "a.yaml").write_text(yaml.safe_dump({"clauses": [entry, entry]}, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CorpusError, match="duplicate"):
        render_clauses(corpus_dir=tmp_path)


def test_an_unknown_clause_id_is_a_sentence_for_people():
    from credlift.errors import NotFoundError

    with pytest.raises(NotFoundError, match="no policy clause"):
        get_clause("NOPE-1")


def test_rules_read_naturally_whatever_the_configured_value(tmp_path):
    def allow_two(raw):
        raw["max_delinquencies_last_12m"] = 2

    assert "must have no delinquency" in get_clause("CAP-DELINQ").text_en
    assert "不得有任何逾期" in get_clause("CAP-DELINQ").text_zh
    relaxed = {c.id: c for c in render_clauses(parameters=load_policy_parameters(_changed_parameters(tmp_path, allow_two)))}
    assert "may have at most 2 delinquencies" in relaxed["CAP-DELINQ"].text_en
    assert "逾期次数不得超过 2 次" in relaxed["CAP-DELINQ"].text_zh
    assert "within 1 business day " in get_clause("REV-MANUAL").text_en
