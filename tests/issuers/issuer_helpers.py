"""Records for the issuer tests: one per simulated issuer, as the generator's labels would give them."""
from __future__ import annotations

from credlift.domain.credential import CredentialRecord
from credlift.tools.registry import RegistryEntry

CET = RegistryEntry(credential_type="cet6", certificate_number="212211001001234", holder_name="林晓雨",
                    fields={"total_score": 520, "listening": 180, "reading": 190, "writing_translation": 150,
                            "exam_session": "2022-12", "school": "北京大学"})
SKILL = RegistryEntry(credential_type="vocational", certificate_number="Y000011000001234", holder_name="张强",
                      fields={"occupation": "电工", "skill_level": "level4", "issue_date": "2023-05-10"})
CHSI = RegistryEntry(credential_type="graduation", certificate_number="100011202305001234", holder_name="王伟",
                     fields={"verification_code": "A1B2C3D4E5F6G7H8", "school": "北京大学", "level": "bachelor",
                             "major": "计算机科学与技术", "issue_date": "2023-06-30"})


def record(entry: RegistryEntry, **changes) -> CredentialRecord:
    """The credential as read from the page: the issuer's fields, with `changes` (None removes a field)."""
    fields = {"holder_name": entry.holder_name, "certificate_number": entry.certificate_number, **entry.fields}
    fields.update(changes)
    return CredentialRecord(type=entry.credential_type, fields={k: v for k, v in fields.items() if v is not None})
