"""The dialogue file format (evals/README.md), as strict pydantic models.

Unknown keys are errors naming the file and line, never silently ignored. Extend only with optional keys.
"""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, ValidationError, field_validator, model_validator
from stdnum.cn import ric

from credlift.errors import UserInputError

NodeName = Literal["intake", "authenticate", "extract", "validate", "assess", "decide", "explain",
                   "converse", "handoff", "budget"]
DecisionName = Literal["approve", "decline", "refer", "none"]
TamperKind = Literal["none", "copy_move", "splice", "retype", "erase", "metadata", "ai_generated", "screen_retype"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class InlineAccount(Strict):
    name: str
    id_number: str
    current_limit: int = Field(ge=0)
    utilisation: float = Field(ge=0.0, le=1.0)
    months_on_book: int = Field(ge=0)
    delinquent_last_12m: int = Field(default=0, ge=0)
    income_band: Literal["low", "mid", "high"] = "low"
    thin_file: bool = True
    occupation: str = ""

    @field_validator("id_number")
    @classmethod
    def _gb11643(cls, value: str) -> str:
        if not ric.is_valid(value):
            raise ValueError("id_number must pass the GB 11643 checksum")
        return value


class FixtureAccount(Strict):
    fixture: str


class SynthUpload(Strict):
    type: str  # a registered credential type (tools/credentials) with a generator template
    seed: int = 0
    capture: Literal["scan", "photo", "screenshot"] = "photo"
    tamper: TamperKind = "none"
    fields: dict[str, str | int | float] = Field(default_factory=dict)


    @field_validator("type")
    @classmethod
    def _registered(cls, value: str) -> str:
        from credlift.domain.credential import CREDENTIAL_TYPES

        if value not in CREDENTIAL_TYPES:
            raise ValueError(f"unknown credential type {value!r} (registered: {', '.join(CREDENTIAL_TYPES)})")
        return value


class UploadSpec(Strict):
    synth: SynthUpload | None = None
    file: str | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> "UploadSpec":
        if (self.synth is None) == (self.file is None):
            raise ValueError("an upload has exactly one of 'synth' or 'file'")
        return self


class StaffAction(Strict):
    action: Literal["approve_review", "decline_review", "reply", "take_over", "hand_back"]
    note: str = ""
    text: str = Field(default="", description="optional: the message for action 'reply' (defaults to note)")


class IncreaseRange(Strict):
    min: int = 0
    max: int = 10**9


class TurnExpect(Strict):
    reply_any: list[str] = Field(default_factory=list)
    reply_all: list[str] = Field(default_factory=list)
    reply_none: list[str] = Field(default_factory=list)
    tools_called: list[NodeName] = Field(default_factory=list)
    tools_not_called: list[NodeName] = Field(default_factory=list)
    cites_clauses: bool = False
    decision: DecisionName | list[DecisionName] | None = None
    increase: IncreaseRange | None = None
    max_latency_s: float | None = None


class FinalExpect(TurnExpect):
    no_full_id_number: bool = True
    applicant_words: bool = True  # every bot reply: no clause code, rule name or PD; one language; 您 in zh
    max_turn_latency_s: float | None = None


class Turn(Strict):
    user: str | None = None
    upload: UploadSpec | None = None
    staff: StaffAction | None = None
    expect: TurnExpect | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> "Turn":
        if sum(x is not None for x in (self.user, self.upload, self.staff)) != 1:
            raise ValueError("a turn has exactly one of 'user', 'upload' or 'staff'")
        return self

    @property
    def kind(self) -> str:
        return "user" if self.user is not None else "upload" if self.upload is not None else "staff"


def _account_kind(value: object) -> str:
    if isinstance(value, dict):
        return "fixture" if "fixture" in value else "inline"
    return "fixture" if isinstance(value, FixtureAccount) else "inline"


AccountSpec = Annotated[Annotated[FixtureAccount, Tag("fixture")] | Annotated[InlineAccount, Tag("inline")],
                        Discriminator(_account_kind)]


class EarlierUpload(Strict):
    """An upload another account made before the dialogue starts (same data folder), e.g. the certificate whose
    number the applicant now shows. The synth certificate carries that account's details."""
    account: AccountSpec
    upload: UploadSpec


class IssuerSetup(Strict):
    """Optional: the issuers are the local simulator (evals/issuer_simulator.py, started by the runner on
    127.0.0.1) for this dialogue, the ways a real issuer behaves."""
    state: Literal["up", "down", "slow"] = "up"  # down: 503 to every question; slow: no answer within the timeout
    knows_uploads: bool = Field(default=True, description="the issuers have the dialogue's synth certificates on "
                                                          "their books (false: not found)")


class Dialogue(Strict):
    id: str
    lang: Literal["zh", "en"] = "zh"
    tags: list[str] = Field(default_factory=list)
    description: str = ""
    account: AccountSpec
    turns: list[Turn] = Field(min_length=1)
    earlier_uploads: list[EarlierUpload] = Field(default_factory=list, description="optional: uploads by other "
                                                 "accounts before the dialogue starts")
    expect_final: FinalExpect = Field(default_factory=FinalExpect)
    issuer: IssuerSetup | None = Field(default=None, description="optional: verification at the issuer against the "
                                       "local simulator (in-process replay only)")

    source: Path | None = Field(default=None, exclude=True)


def _line_of(node: yaml.Node, location: tuple) -> int:
    """The 1-based line of the YAML node at a pydantic error location (the deepest node that exists)."""
    current = node
    for part in location:
        if isinstance(current, yaml.MappingNode):
            match = next(((k, v) for k, v in current.value if k.value == part), None)
            if match is None:
                break
            key_node, value_node = match
            current = value_node if part != location[-1] else key_node
        elif isinstance(current, yaml.SequenceNode) and isinstance(part, int) and part < len(current.value):
            current = current.value[part]
        else:
            continue  # union branches and model names appear in locations without a YAML node
    return current.start_mark.line + 1


def load_dialogue(path: Path) -> Dialogue:
    text = Path(path).read_text(encoding="utf-8")
    try:
        node = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        raise UserInputError(f"{path}{line}: not valid YAML ({getattr(error, 'problem', error)})") from None
    if not isinstance(data, dict):
        raise UserInputError(f"{path}:1: a dialogue file is a mapping with id, account and turns")
    try:
        dialogue = Dialogue.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        location = tuple(first["loc"])
        line = _line_of(node, location) if node is not None else 1
        where = ".".join(str(p) for p in location)
        message = "unknown key" if first["type"] == "extra_forbidden" else first["msg"]
        raise UserInputError(f"{path}:{line}: {message} at '{where}'") from None
    dialogue.source = Path(path)
    return dialogue


def shard_slice(shard: str) -> tuple[int, None, int]:
    """'K/N' -> (start, stop, step) picking every N-th dialogue from the K-th; the N shards partition the suite."""
    try:
        k, n = (int(part) for part in shard.split("/"))
    except ValueError:
        raise UserInputError(f"--shard is K/N with whole numbers, e.g. 1/4, not '{shard}'") from None
    if not 1 <= k <= n:
        raise UserInputError(f"--shard K/N needs 1 <= K <= N, not '{shard}'")
    return k - 1, None, n


def load_suite(directory: Path, tags: list[str] | None = None) -> list[Dialogue]:
    """Every *.yaml below `directory` (recursively), ids unique, optionally filtered by tags."""
    directory = Path(directory)
    if not directory.is_dir():
        raise UserInputError(f"dialogue folder '{directory}' does not exist")
    dialogues = [load_dialogue(p) for p in sorted(directory.rglob("*.yaml")) + sorted(directory.rglob("*.yml"))]
    seen: dict[str, Path] = {}
    for dialogue in dialogues:
        if dialogue.id in seen:
            raise UserInputError(f"{dialogue.source}: dialogue id '{dialogue.id}' is also used in {seen[dialogue.id]}")
        seen[dialogue.id] = dialogue.source
    if tags:
        dialogues = [d for d in dialogues if set(tags) & set(d.tags)]
    return dialogues
