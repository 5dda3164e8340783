"""The answer a vision-language model must give: the JSON schema sent as structured output, and its checking."""
from __future__ import annotations

import json
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from credlift.domain.credential import CredentialRecord

AnswerType = Literal["cet4", "cet6", "graduation", "degree", "vocational", "award", "qualification", "other"]


class CredentialFieldsAnswer(BaseModel):
    """Every canonical field key (null where the credential does not print it)."""
    model_config = ConfigDict(extra="forbid")

    holder_name: str | None = None
    certificate_number: str | None = None
    school: str | None = None
    issue_date: str | None = Field(default=None, description="YYYY-MM-DD, or YYYY-MM when only a month is printed")
    id_number: str | None = None
    total_score: int | None = None
    listening: float | None = None
    reading: float | None = None
    writing_translation: float | None = None
    exam_session: str | None = Field(default=None, description="YYYY-MM")
    admission_number: str | None = None
    level: Literal["doctorate", "master", "second_bachelor", "bachelor", "junior_college"] | None = None
    major: str | None = None
    study_start: str | None = None
    study_end: str | None = None
    birth_date: str | None = None
    gender: str | None = None
    degree_level: Literal["doctor", "master", "bachelor"] | None = None
    discipline: str | None = None
    occupation: str | None = None
    skill_level: Literal["1", "2", "3", "4", "5"] | None = None
    issuer: str | None = None
    competition: str | None = None
    award_level: Literal["first", "second", "third", "gold", "silver", "bronze"] | None = None
    award_scope: Literal["international", "national", "provincial"] | None = None
    qualification_name: str | None = None
    qualification_level: Literal["junior", "intermediate"] | None = None


class CredentialAnswer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: AnswerType
    fields: CredentialFieldsAnswer


class MalformedAnswerError(ValueError):
    """The model's answer is not JSON of the schema (a programming-level error, handled by falling back)."""


def answer_schema() -> dict:
    """JSON schema of `CredentialAnswer`, inlined (no $ref) so that every structured-output engine accepts it."""
    schema = CredentialAnswer.model_json_schema()
    definitions = schema.pop("$defs", {})

    def inline(node):
        if isinstance(node, dict):
            if "$ref" in node:
                return inline(definitions[node["$ref"].split("/")[-1]])
            return {key: inline(value) for key, value in node.items()}
        if isinstance(node, list):
            return [inline(item) for item in node]
        return node

    return inline(schema)


def parse_answer(content: str, backend: str) -> CredentialRecord:
    """The model's JSON (a code fence around it tolerated) as a CredentialRecord; MalformedAnswerError otherwise."""
    text = (content or "").strip()
    fenced = re.search(r"```(?:json)?\s*(.*?)```", text, re.S)
    if fenced:
        text = fenced.group(1).strip()
    try:
        answer = CredentialAnswer.model_validate(json.loads(text))
    except (json.JSONDecodeError, ValidationError, TypeError) as error:
        raise MalformedAnswerError(f"the model's answer is not a credential record: {type(error).__name__}") from None
    fields = {key: value for key, value in answer.fields.model_dump().items() if value not in (None, "")}
    if answer.type in ("cet4", "cet6") and "exam_session" in fields and "issue_date" not in fields:
        fields["issue_date"] = fields["exam_session"]
    return CredentialRecord(type=answer.type, fields=fields, confidence={key: 0.9 for key in fields},
                            backend=backend, type_confidence=0.9)
