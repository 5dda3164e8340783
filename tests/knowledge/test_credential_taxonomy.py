"""The taxonomy of credential kinds (issue 25.4): one table of >= 100 named kinds in knowledge/taxonomy, the
registered types derived into it (never written twice), validated on load."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from credlift.knowledge.taxonomy import REGISTERED, TAXONOMY_FILE, TaxonomyError, load_taxonomy


def test_the_shipped_taxonomy_names_at_least_a_hundred_kinds_and_derives_the_registered_types():
    from credlift.tools.credentials import SPECS

    taxonomy = load_taxonomy()
    listed = [kind for kind in taxonomy.kinds if kind.policy_class != REGISTERED]
    assert len(listed) >= 100
    assert all(kind.zh and kind.en for kind in taxonomy.kinds)
    derived = {kind.id: kind for kind in taxonomy.kinds if kind.policy_class == REGISTERED}
    assert set(derived) == set(SPECS)
    assert all(derived[t].zh == spec.name_zh and derived[t].registered_type == t for t, spec in SPECS.items())
    assert {taxonomy.class_of(kind).route for kind in listed} == {"review", "not_counted"}


def _write(tmp_path: Path, change) -> Path:
    document = yaml.safe_load(TAXONOMY_FILE.read_text(encoding="utf-8"))
    change(document)
    path = tmp_path / "kinds.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize("change,complaint", [
    (lambda d: d["kinds"].append({"id": "degree", "zh": "学位证", "en": "degree", "class": "academic_honour",
                                  "evidence": "strong"}), "registered type"),
    (lambda d: d["kinds"].append({"id": "dup", "zh": "某证", "en": "x", "synonyms": ["雅思"], "class": "language_test",
                                  "evidence": "weak"}), "names both"),
    (lambda d: d["kinds"][0].update({"class": "nonsense"}), "unknown class"),
    (lambda d: d["kinds"].append(dict(d["kinds"][0])), "listed twice"),
])
def test_a_malformed_taxonomy_is_refused_with_what_is_wrong(tmp_path, change, complaint):
    with pytest.raises(TaxonomyError, match=complaint):
        load_taxonomy(_write(tmp_path, change))


def test_a_title_names_the_kind_and_a_label_in_the_body_does_not_make_an_id_card():
    taxonomy = load_taxonomy()
    assert taxonomy.match("中华人民共和国教师资格证书").kind.id == "teacher_qualification"
    assert taxonomy.match("荣誉证书", "被评为2023届省级优秀毕业生").kind.id == "outstanding_graduate"
    assert taxonomy.match("合格证", "姓名 张三 身份证号 110101199001011234") is None
    assert taxonomy.match("居民身份证").policy_class.route == "not_counted"
