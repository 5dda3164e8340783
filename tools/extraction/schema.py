"""The answer a vision-language model must give: the JSON schema sent as structured output, and its checking."""
from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from credlift.domain.credential import CredentialRecord
from credlift.tools.credentials import SPECS

# the fields every type may print (null where it does not); the level fields and each type's own fields come
# from its spec (tools/credentials), so a registered type is in the schema
_COMMON_FIELDS: dict[str, tuple[object, object]] = {
    "holder_name": (str | None, None),
    "certificate_number": (str | None, None),
    "school": (str | None, None),
    "issue_date": (str | None, Field(default=None, description="YYYY-MM-DD, or YYYY-MM when only a month is printed")),
    "id_number": (str | None, None),
    "total_score": (int | None, None),
    "listening": (float | None, None),
    "reading": (float | None, None),
    "writing_translation": (float | None, None),
    "exam_session": (str | None, Field(default=None, description="YYYY-MM")),
    "admission_number": (str | None, None),
    "major": (str | None, None),
    "study_start": (str | None, None),
    "study_end": (str | None, None),
    "birth_date": (str | None, None),
    "gender": (str | None, None),
    "discipline": (str | None, None),
    "occupation": (str | None, None),
    "issuer": (str | None, None),
    "competition": (str | None, None),
    "award_level": (Literal["first", "second", "third", "gold", "silver", "bronze"] | None, None),
    "qualification_name": (str | None, None),
    # any credential (type other, tools/extraction/generic.py): the common schema's own keys
    "title": (str | None, Field(default=None, description="type other: the credential's title as printed")),
    "level": (str | None, Field(default=None, description="type other: its level or grade as printed")),
}


def _registry_state() -> tuple:
    return tuple((spec.type, spec.level_field, tuple(spec.level_names), tuple(spec.answer_fields))
                 for spec in SPECS.values())


@lru_cache(maxsize=8)
def _answer_models(state: tuple) -> tuple[type[BaseModel], type[BaseModel]]:
    fields: dict[str, tuple[object, object]] = dict(_COMMON_FIELDS)
    for spec in SPECS.values():
        if spec.level_names and spec.level_field not in fields:
            fields[spec.level_field] = (Literal[tuple(spec.level_names)] | None, None)  # type: ignore[misc]
        for name, description in spec.answer_fields.items():
            fields.setdefault(name, (str | None, Field(default=None, description=description)))
    config = ConfigDict(extra="forbid")
    fields_model = create_model("CredentialFieldsAnswer", __config__=config, **fields)  # type: ignore[call-overload]
    fields_model.__doc__ = "Every canonical field key (null where the credential does not print it)."
    answer_type = Literal[(*SPECS, "other")]  # type: ignore[valid-type]
    answer_model = create_model("CredentialAnswer", __config__=config, type=(answer_type, ...),
                                fields=(fields_model, ...))
    return fields_model, answer_model


def answer_models() -> tuple[type[BaseModel], type[BaseModel]]:
    """(CredentialFieldsAnswer, CredentialAnswer) for the types registered now."""
    return _answer_models(_registry_state())


def __getattr__(name: str):
    if name == "CredentialFieldsAnswer":
        return answer_models()[0]
    if name == "CredentialAnswer":
        return answer_models()[1]
    raise AttributeError(name)


class MalformedAnswerError(ValueError):
    """The model's answer is not JSON of the schema (a programming-level error, handled by falling back)."""


def answer_schema() -> dict:
    """JSON schema of `CredentialAnswer`, inlined (no $ref) so that every structured-output engine accepts it."""
    schema = answer_models()[1].model_json_schema()
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
        answer = answer_models()[1].model_validate(json.loads(text))
    except (json.JSONDecodeError, ValidationError, TypeError) as error:
        raise MalformedAnswerError(f"the model's answer is not a credential record: {type(error).__name__}") from None
    fields = {key: value for key, value in answer.fields.model_dump().items() if value not in (None, "")}
    if answer.type in ("cet4", "cet6") and "exam_session" in fields and "issue_date" not in fields:
        fields["issue_date"] = fields["exam_session"]
    return CredentialRecord(type=answer.type, fields=fields, confidence={key: 0.9 for key in fields},
                            backend=backend, type_confidence=0.9)
