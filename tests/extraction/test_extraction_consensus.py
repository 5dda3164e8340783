"""The second opinion: where OCR and the vision model agree confidence rises; where they differ it drops, named."""
from __future__ import annotations

from credlift.domain.credential import CredentialRecord
from credlift.tools.extraction.consensus import with_second_opinion


def model(**fields) -> CredentialRecord:
    return CredentialRecord(type="degree", fields=fields, confidence={k: 0.9 for k in fields}, backend="vllm",
                            type_confidence=0.9)


def ocr(credential_type: str = "degree", **fields) -> CredentialRecord:
    return CredentialRecord(type=credential_type, fields=fields, confidence={k: 0.95 for k in fields}, backend="ocr",
                            text_lines=["学位证书"])


def test_agreeing_fields_gain_and_disagreeing_fields_lose_confidence_and_are_named():
    merged = with_second_opinion(model(holder_name="林晓雨", certificate_number="1000342021001234"),
                                 ocr(holder_name="林晓雨", certificate_number="1000342021001284", school="清华大学"))
    assert merged.backend == "vllm+ocr" and merged.text_lines == ["学位证书"]
    assert merged.confidence["holder_name"] > 0.9 > 0.5 > merged.confidence["certificate_number"]
    assert merged.fields["school"] == "清华大学" and merged.confidence["school"] < 0.95  # filled in, less sure
    assert merged.warning_codes == ["SECOND_OPINION_DISAGREES"]
    assert "certificate number" in merged.warnings[0] and "1000342021001284" in merged.warnings[0]


def test_an_id_number_that_differs_is_named_masked():
    merged = with_second_opinion(model(id_number="110101199903120214"), ocr(id_number="110101199903120215"))
    assert "110101199903120214" not in merged.warnings[0] and "110***********0214" in merged.warnings[0]


def test_a_different_credential_type_is_flagged_and_the_fields_are_not_compared():
    merged = with_second_opinion(model(holder_name="林晓雨"), ocr("graduation", holder_name="王伟"))
    assert merged.type == "degree" and merged.type_confidence < 0.5
    assert merged.warning_codes == ["SECOND_OPINION_TYPE"] and merged.fields == {"holder_name": "林晓雨"}
