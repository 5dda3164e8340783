"""The app's named API endpoints, driven by gradio_client against the live app on 127.0.0.1."""
from __future__ import annotations

from pathlib import Path

import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError

API_APPLICANT = "demo-freelancer-01"
API_REVIEW = "demo-technician-01"
ENDPOINTS = {"/accounts", "/start", "/send", "/upload", "/status", "/transcript", "/set_language", "/staff_login",
             "/staff_logout", "/review_queue", "/case_view", "/resolve_review", "/staff_reply", "/take_over",
             "/hand_back", "/audit_log"}


@pytest.fixture(scope="module")
def client(live_app):
    return Client(live_app.url, verbose=False, download_files=False)


def _staff_token(client, live_app, role: str = "agent") -> str:
    user, password = next(entry.split(":")[:2] for entry in live_app.settings.staff_users.split(",")
                          if entry.split(":")[-1] == role)
    return client.predict(user, password, api_name="/staff_login")["token"]


def test_every_named_endpoint_is_published(client):
    assert ENDPOINTS <= set(client.view_api(print_info=False, return_format="dict")["named_endpoints"])


def test_a_whole_application_runs_through_the_api(client, live_app, certificate_photo):
    accounts = {a["account_id"]: a for a in client.predict(api_name="/accounts")}
    account = live_app.account(API_APPLICANT)
    assert accounts[API_APPLICANT]["masked_name"] == account.masked_name and account.name not in str(accounts)

    greeting = client.predict(API_APPLICANT, "en", api_name="/start")
    thread_id, session = greeting["thread_id"], greeting["session_token"]
    assert greeting["replies"] and greeting["language"] == "en" and greeting["awaiting"] == "user"
    answer = client.predict(session, "How do I raise my limit?", api_name="/send")
    assert answer["replies"]

    photo = certificate_photo(API_APPLICANT, "none", seed=11, total_score=561)
    turn = client.predict(session, [handle_file(str(photo))], "en", api_name="/upload")
    assert turn["progress"], "progress lines are reported"
    decision = turn["decision"]
    assert decision["kind"] == "approve" and decision["increase"] > 0
    assert decision["new_limit"] == account.current_limit + decision["increase"]
    assert decision["reasons"] and "INC-CET6" in decision["clause_ids"]
    assert "inputs" not in decision  # engine internals stay with staff

    status = client.predict(session, api_name="/status")
    assert status["decision"] == decision and status["awaiting"] == "user"
    lines = client.predict(session, api_name="/transcript")
    assert [line["role"] for line in lines][:2] == ["assistant", "user"] and lines[-1]["role"] == "assistant"
    assert account.id_number not in str(lines)


def test_a_conversation_opens_only_with_its_own_signed_session_token(client):
    """A thread id alone, a forged or altered token, or another account's token open nothing."""
    mine = client.predict(API_APPLICANT, "en", api_name="/start")
    theirs = client.predict(API_REVIEW, "en", api_name="/start")
    assert client.predict(mine["session_token"], api_name="/status")["thread_id"] == mine["thread_id"]
    assert mine["session_token"] != theirs["session_token"]
    for token in (mine["thread_id"], "", "gAAAAAforged", mine["session_token"][:-4] + "AAAA"):
        with pytest.raises(AppError, match="session|start a conversation"):
            client.predict(token, "hello", api_name="/send")
    with pytest.raises(AppError, match="session"):
        client.predict(mine["thread_id"], api_name="/transcript")


def test_a_validly_signed_token_naming_another_accounts_conversation_is_refused(client, live_app):
    """The server checks the binding on every call, not only the signature."""
    from credlift.crypto import session_secret
    from credlift.ui.web.applicant_tokens import ApplicantTokens

    theirs = client.predict(API_REVIEW, "en", api_name="/start")
    forged = ApplicantTokens(session_secret(live_app.settings)).issue(API_APPLICANT, theirs["thread_id"])
    with pytest.raises(AppError, match="session"):
        client.predict(forged, api_name="/status")


def test_tokens_are_signed_and_expire():
    from credlift.ui.web.applicant_tokens import ApplicantTokens, SessionRefused

    tokens = ApplicantTokens("secret-a")
    token = tokens.issue("demo-rider-01", "thread-1")
    assert tokens.open(token) == ("demo-rider-01", "thread-1")
    with pytest.raises(SessionRefused):
        ApplicantTokens("secret-b").open(token)  # another server's secret
    with pytest.raises(SessionRefused):
        ApplicantTokens("secret-a", ttl_s=-1).open(token)  # too old


def test_replies_name_clauses_by_title_never_by_code(client):
    """An app shows `replies` to the person as they are: clause ids become titles, each clause's text comes along;
    the ids stay in `replies_with_clause_ids` for audit and replay."""
    from credlift.evals.replay.expectations import CLAUSE_ID

    started = client.predict(API_APPLICANT, "zh", api_name="/start")
    thread_id, session = started["thread_id"], started["session_token"]
    answer = client.predict(session, "可以上传哪些证书？", api_name="/send")
    cited = {c["id"] for c in answer["clauses"]}
    assert cited and cited <= set(CLAUSE_ID.findall("\n".join(answer["replies_with_clause_ids"])))
    assert not cited & set(CLAUSE_ID.findall("\n".join(answer["replies"])))
    assert all(c["title"] and c["text"] for c in answer["clauses"])
    assert any(c["title"] in "\n".join(answer["replies"]) for c in answer["clauses"])
    lines = client.predict(session, api_name="/transcript")
    assert not cited & set(CLAUSE_ID.findall("\n".join(line["text"] for line in lines)))
    assert any(line["clauses"] for line in lines if line["role"] == "assistant")


def test_a_review_is_resolved_by_staff_through_the_api(client, live_app, certificate_photo):
    started = client.predict(API_REVIEW, "zh", api_name="/start")
    thread_id, session = started["thread_id"], started["session_token"]
    photo = certificate_photo(API_REVIEW, "copy_move", seed=13)
    turn = client.predict(session, [handle_file(str(photo))], "zh", api_name="/upload")
    assert turn["awaiting"] == "review" and turn["decision"]["kind"] == "refer"

    token = _staff_token(client, live_app)
    queue = client.predict(token, False, api_name="/review_queue")
    case_id = turn["case_id"]
    assert case_id in [row["case_id"] for row in queue]
    case = client.predict(token, case_id, False, api_name="/case_view")
    assert case["revealed"] is False and case["uploads"][0]["authenticity"]["verdict"] != "authentic"
    holder = live_app.account(API_REVIEW).name
    assert holder not in str(case["uploads"]) and holder not in str(case["applicant"])

    client.predict(token, case_id, "我们正在核对您的成绩单，请稍候。", api_name="/staff_reply")
    first = client.predict(token, case_id, True, "checked with the issuer", api_name="/resolve_review")
    # a tampered certificate: four-eyes, the same person cannot approve twice, a second staff member can
    assert first["second_approval_needed"] and first["awaiting"] == "review"
    with pytest.raises(AppError, match="another staff member must give the second"):
        client.predict(token, case_id, True, "checked again", api_name="/resolve_review")
    second = _staff_token(client, live_app, role="supervisor")
    resolved = client.predict(second, case_id, True, "checked with the issuer too", api_name="/resolve_review")
    # the review clears the document; the policy engine then decides on what the certificate says
    assert resolved["awaiting"] == "user" and resolved["decision"]["kind"] in ("approve", "decline")
    assert "REVIEW_CLEARED" in [reason["code"] for reason in resolved["decision"]["reason_codes"]]
    status = client.predict(session, api_name="/status")
    assert status["decision"]["kind"] == resolved["decision"]["kind"] and status["awaiting"] == "user"
    assert any(line["role"] == "staff" for line in client.predict(session, api_name="/transcript"))
    actions = [entry["action"] for entry in client.predict(token, case_id, api_name="/audit_log")]
    assert {"case_viewed", "staff_reply", "approval_first", "review_refused", "review_resolved"} <= set(actions)


def test_staff_endpoints_refuse_a_wrong_password_and_a_missing_token(client):
    with pytest.raises(AppError, match="Wrong user name or password"):
        client.predict("helpdesk", "nope", api_name="/staff_login")
    with pytest.raises(AppError, match="Please sign in first"):
        client.predict("forged", False, api_name="/review_queue")


def test_a_disguised_upload_is_refused_with_a_sentence_and_the_api_keeps_working(client, tmp_path):
    started = client.predict(API_APPLICANT, "en", api_name="/start")
    thread_id, session = started["thread_id"], started["session_token"]
    fake = tmp_path / "certificate.jpg"
    fake.write_bytes(b"MZ\x90\x00" + b"\x00" * 2048)
    with pytest.raises(AppError, match="certificate.jpg is not a photo we can read"):
        client.predict(session, [handle_file(str(fake))], "en", api_name="/upload")
    assert client.predict(session, api_name="/status")["thread_id"] == thread_id


def test_staff_take_over_a_conversation_answer_in_it_and_hand_it_back(client, live_app):
    started = client.predict("demo-english-01", "en", api_name="/start")
    thread_id, session = started["thread_id"], started["session_token"]
    case_id = live_app.case_of(thread_id)
    token = _staff_token(client, live_app)
    assert client.predict(token, case_id, api_name="/take_over")["taken_over"] is True
    queued = client.predict(session, "Can a person help me?", api_name="/send")
    assert queued["awaiting"] == "staff" and queued["replies"] == []  # a person answers, the bot stays quiet
    client.predict(token, case_id, "Hello, this is the helpdesk. How can I help?", api_name="/staff_reply")
    lines = client.predict(session, api_name="/transcript")
    assert lines[-1] == {"role": "staff", "text": "Hello, this is the helpdesk. How can I help?",
                         "author": live_app.settings.staff_users.split(":")[0], "clauses": []}
    assert client.predict(token, case_id, api_name="/hand_back")["taken_over"] is False
    assert client.predict(session, api_name="/status")["awaiting"] == "user"
    actions = [entry["action"] for entry in client.predict(token, case_id, api_name="/audit_log")]
    assert {"take_over", "staff_reply", "hand_back"} <= set(actions)


def test_the_upload_endpoint_reads_only_files_sent_with_the_request(client):
    started = client.predict(API_APPLICANT, "en", api_name="/start")
    thread_id, session = started["thread_id"], started["session_token"]
    server_file = {"path": str(Path(__file__).resolve())}  # a path on the server, not an upload
    with pytest.raises(AppError, match="Files must be uploaded with the request"):
        client.predict(session, [server_file], "en", api_name="/upload")
