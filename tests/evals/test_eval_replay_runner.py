"""The runner: synth certificates carry the applicant's own details; every trial replays on a fresh state."""
from __future__ import annotations

from credlift.agent.contracts import TurnResult
from credlift.domain import ApplicantProfile
from credlift.evals.replay.format import Dialogue
from credlift.evals.replay.runner import account_fields, run_suite

PROFILE = ApplicantProfile(account_id="a", name="林晓雨", id_number="110105199912310022", current_limit=2000,
                           utilisation=0.3, months_on_book=4, delinquent_last_12m=0)


def test_a_cet_report_carries_the_applicants_name_and_id_number():
    assert account_fields("cet6", PROFILE) == {"holder_name": "林晓雨", "id_number": "110105199912310022"}


def test_a_graduation_certificate_carries_the_birth_date_and_gender_of_the_id_number():
    fields = account_fields("graduation", PROFILE)
    assert fields == {"holder_name": "林晓雨", "birth_date": "1999-12-31", "gender": "female"}
    assert "id_number" not in account_fields("award", PROFILE)


class RecordingDriver:
    """A stand-in for the service that records which trial each dialogue ran in."""

    def __init__(self):
        self.trial = None
        self.calls: list[tuple[int, str]] = []
        self.closed = False

    def begin_trial(self, trial):
        self.trial = trial

    def close(self):
        self.closed = True

    def fixture(self, account_id):
        return PROFILE

    def open(self, profile, lang):
        self.calls.append((self.trial, profile.account_id))
        return "t", TurnResult(thread_id="t", replies=["hello"])

    def send(self, thread_id, text):
        return TurnResult(thread_id="t", replies=["您好，请上传证书"], nodes_run=["converse"])


def test_trials_run_one_after_another_each_on_its_own_state():
    dialogues = [Dialogue.model_validate({"id": name, "account": {"fixture": "demo"}, "turns": [{"user": "hi"}],
                                          "expect_final": {"reply_any": ["证书"]}}) for name in ("one", "two")]
    driver = RecordingDriver()
    result = run_suite(dialogues, driver, trials=2)
    assert [trial for trial, _ in driver.calls] == [0, 0, 1, 1]
    assert len({account for _, account in driver.calls}) == 4
    assert driver.closed and result.passed == 2 and result.failed == 0


def test_pass_hat_k_needs_every_trial_to_pass():
    dialogue = Dialogue.model_validate({"id": "d", "account": {"fixture": "demo"}, "turns": [{"user": "hi"}],
                                        "expect_final": {"reply_all": ["证书"]}})

    class FlakyDriver(RecordingDriver):
        def send(self, thread_id, text):
            return TurnResult(thread_id="t", replies=["你好，请上传证书" if self.trial == 0 else "hello"])

    result = run_suite([dialogue], FlakyDriver(), trials=2)
    assert result.passed == 0 and result.failed == 1


def test_earlier_uploads_are_made_by_their_own_account_before_the_dialogue(tmp_path):
    """`earlier_uploads` (optional key): each is uploaded in its own conversation by its own copy of the account,
    before the applicant's conversation opens; the synth certificate carries that account's name."""
    from credlift.domain.applicant import ApplicantProfile
    from credlift.evals.replay.format import Dialogue
    from credlift.evals.replay.runner import run_dialogue

    class Recorder:
        def __init__(self):
            self.calls = []

        def fixture(self, account_id):
            return ApplicantProfile(account_id=account_id, name={"a": "陈思远", "b": "林晓雨"}[account_id],
                                    id_number="", current_limit=1000, utilisation=0.1, months_on_book=3,
                                    delinquent_last_12m=0)

        def open(self, profile, lang):
            self.calls.append(("open", profile.account_id))
            return profile.account_id, TurnResult(thread_id=profile.account_id, replies=["hi"])

        def upload(self, thread_id, filename, data):
            self.calls.append(("upload", thread_id))
            return TurnResult(thread_id=thread_id, replies=["ok"])

    dialogue = Dialogue.model_validate({
        "id": "d", "account": {"fixture": "b"},
        "earlier_uploads": [{"account": {"fixture": "a"}, "upload": {"file": "x.jpg"}}],
        "turns": [{"user": "hello"}]})
    (tmp_path / "x.jpg").write_bytes(b"not really")
    dialogue.source = tmp_path / "d.yaml"
    driver = Recorder()
    driver.send = lambda thread_id, text: TurnResult(thread_id=thread_id, replies=["fine"])
    outcome = run_dialogue(dialogue, driver)
    assert outcome.passed, outcome.failure
    assert driver.calls == [("open", "a~d~0~earlier0"), ("upload", "a~d~0~earlier0"), ("open", "b~d~0")]


class SlowDriver(RecordingDriver):
    """A turn that keeps the person waiting without working: as on a machine busy with other jobs."""

    def send(self, thread_id, text):
        import time

        time.sleep(0.3)
        return TurnResult(thread_id="t", replies=["您好，请上传证书"], nodes_run=["converse"])


SLOW_LIMIT = Dialogue.model_validate({"id": "slow", "account": {"fixture": "demo"}, "turns": [{"user": "hi"}],
                                      "expect_final": {"max_turn_latency_s": 0.2}})


def test_a_latency_limit_reads_the_wall_clock_by_default():
    result = run_suite([SLOW_LIMIT], SlowDriver())
    assert result.failed == 1
    assert "more than 0.2s" in result.outcomes[0].failure and "(wall)" in result.outcomes[0].failure


def test_the_work_clock_reads_cpu_time_in_process_so_a_busy_machine_does_not_fail_a_dialogue():
    class InProcessSlowDriver(SlowDriver):
        in_process = True

    result = run_suite([SLOW_LIMIT], InProcessSlowDriver(), latency_clock="work")
    turn = result.outcomes[0].turns[0]
    assert result.passed == 1, result.outcomes[0].failure
    assert turn.latency_s >= 0.3 and turn.cpu_s is not None and turn.cpu_s < 0.2


def test_the_work_clock_falls_back_to_the_wall_clock_when_the_app_runs_elsewhere():
    result = run_suite([SLOW_LIMIT], SlowDriver(), latency_clock="work")  # no CPU reading through a URL
    assert result.outcomes[0].turns[0].cpu_s is None and result.failed == 1


def test_the_eval_counts_what_the_models_did_and_what_the_guard_corrected():
    """LLM path on: the case's audit trail says which replies the model wrote, which sentences the guard replaced,
    which replies the reply check refused and which risk answers the validator rejected; the summary adds them."""
    from types import SimpleNamespace as Entry

    from credlift.evals.replay.model_use import model_use, summary_line
    from credlift.evals.replay.report import summarise

    trail = [
        Entry(action="reply_checked", detail="source=llm"),
        Entry(action="reply_checked", detail="source=llm; sentence replaced: numbers not in the record ['88000'], "
                                             "clauses not retrieved []; sentence replaced: numbers not in the "
                                             "record [], clauses not retrieved ['FAKE-1']"),
        Entry(action="reply_checked", detail="source=deterministic; reply check failed: decision word 'approved'"),
        Entry(action="reply_checked", detail="source=deterministic; fallback: APITimeoutError: timed out"),
        Entry(action="risk_assessed", detail="abc pd=0.0400 level=medium source=llm"),
        Entry(action="risk_assessed", detail="abd pd=0.2000 level=high source=deterministic"),
        Entry(action="risk_llm_fallback", detail="abd deterministic reasoner used: malformed_json: not JSON"),
        Entry(action="upload_received", detail="source=llm is not a reply here"),
    ]

    class AuditedDriver(RecordingDriver):
        def audit_entries(self, thread_id):
            return trail

    dialogue = Dialogue.model_validate({"id": "d", "account": {"fixture": "demo"}, "turns": [{"user": "hi"}]})
    result = run_suite([dialogue, dialogue.model_copy(update={"id": "e"})], AuditedDriver())
    use = result.outcomes[0].model_use
    assert (use.llm_replies, use.guard_corrected_replies, use.guard_sentences_replaced) == (2, 1, 2)
    assert (use.reply_check_failed, use.responder_fallbacks, use.reasoner_llm, use.reasoner_deterministic) == (1, 1, 1, 1)
    assert use.reasoner_rejections == {"malformed_json": 1}
    total = summarise(result)["model_use"]
    assert total["guard_sentences_replaced"] == 4 and total["reasoner_rejections"] == {"malformed_json": 2}
    assert "guard corrected 1 (2 sentences)" in summary_line(use)
    assert not model_use([]).any and summarise(run_suite([dialogue], RecordingDriver()))["model_use"]["llm_replies"] == 0
