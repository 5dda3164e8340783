"""Pydantic contracts between layers. One module per area; owners may add fields, never rename or drop them."""
from credlift.domain.applicant import ApplicantProfile, mask_id_number, mask_name
from credlift.domain.authenticity import AuthenticityReport, Box, SignalReport, Verdict
from credlift.domain.credential import CredentialRecord, CredentialType, OcrLine, ValidationFinding, ValidationReport
from credlift.domain.decision import Counterfactual, DecisionKind, LimitDecision, ReasonCode
from credlift.domain.policy import Clause, RetrievedClause
from credlift.domain.risk import RiskAssessment, RiskFactor, RiskScore

__all__ = [
    "ApplicantProfile", "mask_id_number", "mask_name",
    "AuthenticityReport", "Box", "SignalReport", "Verdict",
    "CredentialRecord", "CredentialType", "OcrLine", "ValidationFinding", "ValidationReport",
    "Counterfactual", "DecisionKind", "LimitDecision", "ReasonCode",
    "Clause", "RetrievedClause",
    "RiskAssessment", "RiskFactor", "RiskScore",
]
