"""Replays dialogues through a driver, K trials each, and reports pass^k (as tau-bench does)."""
from __future__ import annotations

import logging
import time
from pathlib import Path

from pydantic import BaseModel, Field

from credlift.agent.contracts import TurnResult
from credlift.domain.applicant import ApplicantProfile, redact_id_numbers
from credlift.evals.replay.drivers import Driver, LogCapture
from credlift.evals.replay.expectations import TurnRecord, check_final, check_turn
from credlift.evals.replay.format import Dialogue, InlineAccount, Turn
from credlift.evals.replay.model_use import ModelUse, model_use

log = logging.getLogger(__name__)


class DialogueOutcome(BaseModel):
    id: str
    trial: int
    tags: list[str] = Field(default_factory=list)
    lang: str = "zh"
    passed: bool
    failure: str | None = None
    greeting: list[str] = Field(default_factory=list)
    turns: list[TurnRecord] = Field(default_factory=list)
    decision: str = "none"
    increase: int = 0
    expected_decision: list[str] = Field(default_factory=list)
    duration_s: float = 0.0
    model_use: ModelUse | None = Field(default=None, description="LLM replies, guard corrections, fallbacks "
                                       "(in-process replay; from the case's audit trail)")


class SuiteResult(BaseModel):
    trials: int
    outcomes: list[DialogueOutcome]

    def dialogue_ids(self) -> list[str]:
        return list(dict.fromkeys(o.id for o in self.outcomes))

    def passed_ids(self) -> list[str]:
        """pass^k: a dialogue counts only when all of its K trials pass."""
        return [d for d in self.dialogue_ids() if all(o.passed for o in self.outcomes if o.id == d)]

    @property
    def passed(self) -> int:
        return len(self.passed_ids())

    @property
    def failed(self) -> int:
        return len(self.dialogue_ids()) - self.passed


def _profile_for(dialogue: Dialogue, driver: Driver, trial: int, account=None, tail: str = "") -> ApplicantProfile:
    """Each dialogue and trial gets its own copy of the account, so dialogues never disturb each other (an
    earlier upload's account gets its own too, named by `tail`)."""
    account = account if account is not None else dialogue.account
    suffix = f"~{dialogue.id}~{trial}{tail}"
    if isinstance(account, InlineAccount):
        return ApplicantProfile(account_id=f"eval{suffix}", **account.model_dump())
    fixture = driver.fixture(account.fixture)
    return fixture.model_copy(update={"account_id": f"{fixture.account_id}{suffix}"})


def _upload_earlier(dialogue: Dialogue, driver: Driver, trial: int, on_label=None) -> None:
    """The uploads other accounts made before this dialogue, each in its own conversation."""
    for index, earlier in enumerate(dialogue.earlier_uploads):
        profile = _profile_for(dialogue, driver, trial, earlier.account, tail=f"~earlier{index}")
        thread_id, _ = driver.open(profile, dialogue.lang)
        filename, data, _ = _upload_bytes(Turn(upload=earlier.upload), dialogue, profile, on_label)
        driver.upload(thread_id, filename, data)


def _use_issuers(dialogue: Dialogue, driver: Driver, issuers):
    """Points the app at the simulator, set up as the dialogue says; returns what registers a rendered certificate
    with the issuers (None when they are not to know it). Raises when the replay cannot reach the app's issuers."""
    setup = dialogue.issuer
    if issuers is None or not hasattr(driver, "use_issuer"):
        raise RuntimeError("a dialogue with 'issuer' needs the in-process replay (the runner starts the issuer "
                           "simulator and points the app at it)")
    from credlift.tools.registry import entry_from_label

    issuers.books.clear()
    issuers.state = setup.state
    driver.use_issuer(issuers.base_url)

    def register(label: dict) -> None:
        entry = entry_from_label(label)
        if entry is not None:
            issuers.books.add_entry(entry)

    return register if setup.knows_uploads else None


def _upload_bytes(turn: Turn, dialogue: Dialogue, profile: ApplicantProfile, on_label=None) -> tuple[str, bytes, str]:
    spec = turn.upload
    if spec.file is not None:
        path = (dialogue.source.parent if dialogue.source else Path.cwd()) / spec.file
        return path.name, path.read_bytes(), f"file {spec.file}"
    from credlift.evals.synth import SynthSpec, render_credential

    fields = {**account_fields(spec.synth.type, profile), **spec.synth.fields}
    sample = render_credential(SynthSpec(type=spec.synth.type, seed=spec.synth.seed, capture=spec.synth.capture,
                                         tamper=spec.synth.tamper, fields=fields))
    if on_label is not None:
        on_label(sample.label)
    description = f"synth {spec.synth.type} seed={spec.synth.seed} capture={spec.synth.capture} tamper={spec.synth.tamper}"
    return f"{spec.synth.type}-{spec.synth.seed}.{sample.extension}", sample.image_bytes, description


def account_fields(credential_type: str, profile: ApplicantProfile) -> dict[str, str]:
    """The applicant's own details, printed on a synth certificate wherever its template prints them.

    A real applicant's certificate carries their name, ID number, birth date and gender; without these a clean
    upload would fail the name and ID checks. Fields given in the dialogue override them.
    """
    from stdnum.cn import ric

    from credlift.evals.synth.templates import get_template

    names = set(get_template(credential_type).field_names)
    derived: dict[str, str] = {"holder_name": profile.name}
    if profile.id_number and ric.is_valid(profile.id_number):
        derived["id_number"] = profile.id_number
        derived["birth_date"] = ric.get_birth_date(profile.id_number).isoformat()
        derived["gender"] = "male" if int(profile.id_number[16]) % 2 else "female"
    return {key: value for key, value in derived.items() if key in names}


def _record(kind: str, text: str, result: TurnResult, latency: float, cpu: float | None) -> TurnRecord:
    decision = result.decision
    return TurnRecord(kind=kind, input=redact_id_numbers(text), replies=list(result.replies),
                      progress=list(result.progress), nodes_run=list(result.nodes_run),
                      decision=decision.kind if decision else "none", increase=decision.increase if decision else 0,
                      retrieved_clauses=sorted(set(result.retrieved_clauses) | set(result.cited_clauses)
                                               | set(decision.clause_ids if decision else [])),
                      latency_s=latency, cpu_s=cpu, language=result.language)


def run_dialogue(dialogue: Dialogue, driver: Driver, trial: int = 0, latency_clock: str = "wall",
                 issuers=None) -> DialogueOutcome:
    """One trial of one dialogue. `latency_clock` is how latency limits read a turn (TurnRecord.judged_s); the
    CPU reading is taken only when the driver runs the app in this process. `issuers`: the running issuer
    simulator, for dialogues with an `issuer` setup."""
    in_process = getattr(driver, "in_process", False)
    capture = LogCapture()
    root = logging.getLogger()
    root.addHandler(capture)
    previous_level = root.level
    root.setLevel(min(previous_level, logging.INFO))
    started = time.perf_counter()
    records: list[TurnRecord] = []
    greeting: list[str] = []
    failure: str | None = None
    profile: ApplicantProfile | None = None
    thread_id = ""
    on_label = None
    try:
        if dialogue.issuer is not None:
            on_label = _use_issuers(dialogue, driver, issuers)
        _upload_earlier(dialogue, driver, trial, on_label)
        profile = _profile_for(dialogue, driver, trial)
        thread_id, opened = driver.open(profile, dialogue.lang)
        greeting = list(opened.replies)
        for index, turn in enumerate(dialogue.turns):
            began, began_cpu = time.perf_counter(), time.process_time()
            if turn.kind == "user":
                result, text = driver.send(thread_id, turn.user), turn.user
            elif turn.kind == "upload":
                filename, data, text = _upload_bytes(turn, dialogue, profile, on_label)
                result = driver.upload(thread_id, filename, data)
            else:
                text = f"staff {turn.staff.action}: {turn.staff.note or turn.staff.text}"
                result = driver.staff(thread_id, turn.staff.action, turn.staff.note, turn.staff.text)
            records.append(_record(turn.kind, text, result, time.perf_counter() - began,
                                   time.process_time() - began_cpu if in_process else None))
            failure = check_turn(turn.expect, records[-1], index, latency_clock)
            if failure:
                break
        if failure is None:
            failure = check_final(dialogue.expect_final, records, greeting, capture.lines,
                                  profile.id_number if profile else "", lang=dialogue.lang, clock=latency_clock)
    except Exception as error:  # a crash is a failed dialogue with its reason, never a crashed suite
        log.exception("dialogue %s crashed", dialogue.id)
        failure = f"error: {type(error).__name__}: {redact_id_numbers(str(error))}"
    finally:
        root.removeHandler(capture)
        use = None
        if thread_id and hasattr(driver, "audit_entries"):
            try:
                use = model_use(driver.audit_entries(thread_id))
            except Exception:  # the count is a report figure; it never fails a dialogue
                log.exception("model use of %s not read", dialogue.id)
        root.setLevel(previous_level)
        if dialogue.issuer is not None and issuers is not None and hasattr(driver, "use_issuer"):
            driver.use_issuer(None)  # the next dialogue sees the app's own issuer settings again
            issuers.state = "up"
    decisions = [r for r in records if r.decision != "none"]
    expected = dialogue.expect_final.decision
    return DialogueOutcome(
        id=dialogue.id, trial=trial, tags=dialogue.tags, lang=dialogue.lang, passed=failure is None, failure=failure,
        greeting=greeting, turns=records,
        decision=decisions[-1].decision if decisions else "none", increase=decisions[-1].increase if decisions else 0,
        expected_decision=(expected if isinstance(expected, list) else [expected]) if expected else [],
        duration_s=time.perf_counter() - started, model_use=use)


def run_suite(dialogues: list[Dialogue], driver: Driver, trials: int = 1, on_outcome=None,
              latency_clock: str = "wall") -> SuiteResult:
    """Trial by trial: a driver with `begin_trial` gets a fresh state per trial, so that the same certificate
    replayed in trial 2 is not mistaken for a document reused by another account."""
    outcomes: list[DialogueOutcome] = []
    issuers = None
    if any(d.issuer is not None for d in dialogues) and hasattr(driver, "use_issuer"):
        from credlift.evals.issuer_simulator import IssuerSimulator

        issuers = IssuerSimulator(host="127.0.0.1", port=0)  # an ephemeral local port: never the network
        issuers.start()
    try:
        for trial in range(trials):
            if hasattr(driver, "begin_trial"):
                driver.begin_trial(trial)
            for dialogue in dialogues:
                outcome = run_dialogue(dialogue, driver, trial, latency_clock, issuers=issuers)
                outcomes.append(outcome)
                if on_outcome:
                    on_outcome(outcome)
    finally:
        if issuers is not None:
            issuers.stop()
    if hasattr(driver, "close"):
        driver.close()
    return SuiteResult(trials=trials, outcomes=outcomes)
