"""The credential templates, one module per type behind `CredentialTemplate`; adding a type is one file and one line."""
from __future__ import annotations

from credlift.evals.synth.templates.award import AwardTemplate
from credlift.evals.synth.templates.base import CredentialTemplate, SynthSpecError
from credlift.evals.synth.templates.cet import CetTemplate
from credlift.evals.synth.templates.creator_profile import CreatorProfileTemplate
from credlift.evals.synth.templates.degree import DegreeTemplate
from credlift.evals.synth.templates.driver_permit import DriverPermitTemplate
from credlift.evals.synth.templates.graduation import GraduationTemplate
from credlift.evals.synth.templates.honours import (IcpcTemplate, MathCompetitionTemplate, MeritStudentTemplate,
                                                     ScholarshipTemplate)
from credlift.evals.synth.templates.health_certificate import HealthCertificateTemplate
from credlift.evals.synth.templates.qualification import QualificationTemplate
from credlift.evals.synth.templates.rider_profile import RiderProfileTemplate
from credlift.evals.synth.templates.transport_permit import TransportPermitTemplate
from credlift.evals.synth.templates.vocational import VocationalTemplate

TEMPLATES: dict[str, CredentialTemplate] = {
    "cet4": CetTemplate("cet4"),
    "cet6": CetTemplate("cet6"),
    "graduation": GraduationTemplate(),
    "degree": DegreeTemplate(),
    "vocational": VocationalTemplate(),
    "award": AwardTemplate(),
    "qualification": QualificationTemplate(),
    "driver_permit": DriverPermitTemplate(),
    "merit_student": MeritStudentTemplate(),
    "scholarship": ScholarshipTemplate(),
    "math_competition": MathCompetitionTemplate(),
    "icpc": IcpcTemplate(),
    "rider_profile": RiderProfileTemplate(),
    "creator_profile": CreatorProfileTemplate(),
    "health_certificate": HealthCertificateTemplate(),
    "transport_permit": TransportPermitTemplate(),
}


def get_template(credential_type: str) -> CredentialTemplate:
    try:
        return TEMPLATES[credential_type]
    except KeyError:
        raise SynthSpecError(f"unknown credential type {credential_type!r} (known: {', '.join(TEMPLATES)}).") from None


__all__ = ["TEMPLATES", "CredentialTemplate", "SynthSpecError", "get_template"]
