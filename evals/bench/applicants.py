"""Fresh applicant accounts for benchmark uploads: the holder printed on each certificate, so checks pass."""
from __future__ import annotations

import uuid

from stdnum.cn import ric

from credlift.domain import ApplicantProfile

FALLBACK_ID = "420106199906010137"


def applicant_for(label: dict, tag: str) -> ApplicantProfile:
    """A thin-file account named as the certificate's holder (its ID number too where the certificate prints one)."""
    fields = label.get("fields", {})
    id_number = str(fields.get("id_number") or "")
    return ApplicantProfile(
        account_id=f"bench-{tag}-{uuid.uuid4().hex[:10]}", name=str(fields.get("holder_name") or "林晓雨"),
        id_number=id_number if ric.is_valid(id_number) else FALLBACK_ID, current_limit=3000, utilisation=0.3,
        months_on_book=12, delinquent_last_12m=0, income_band="mid", thin_file=True)
