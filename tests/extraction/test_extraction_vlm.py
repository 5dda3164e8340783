"""The vLLM path (Qwen2.5-VL over the OpenAI-compatible API) against a local test server, and the OCR second opinion."""
from __future__ import annotations

import json
import socket

import pytest

from credlift.evals.openai_test_server import OpenAITestServer
from credlift.settings import Settings
from credlift.tools.extraction import extract_credential
from credlift.tools.extraction.backends.vllm_backend import VllmBackend
from credlift.tools.extraction.schema import CredentialAnswer, MalformedAnswerError, answer_schema, parse_answer


def model_answer(label: dict, **changes) -> str:
    fields = {key: label["fields"].get(key) for key in CredentialAnswer.model_fields["fields"].annotation.model_fields}
    fields.update(changes)
    return json.dumps({"type": label["type"], "fields": fields}, ensure_ascii=False)


def vlm_settings(base_url: str) -> Settings:
    return Settings(vlm_base_url=base_url, vlm_model="qwen2.5-vl-test", vlm_timeout_s=120.0)


def test_the_request_sends_the_image_inline_and_constrains_the_answer_to_the_record_schema(cet_sample):
    label, upload, page = cet_sample
    with OpenAITestServer(chat_handler=lambda body: model_answer(label)) as server:
        record = extract_credential(upload, ocr_lines=page.lines, settings=vlm_settings(server.base_url))
        path, body = server.requests[-1]
    assert path.endswith("/chat/completions") and body["model"] == "qwen2.5-vl-test"
    image_part, text_part = body["messages"][1]["content"]
    assert image_part["type"] == "image_url" and image_part["image_url"]["url"].startswith("data:image/jpeg;base64,")
    assert "JSON" in text_part["text"] and body["messages"][0]["role"] == "system"
    response_format = body["response_format"]
    assert response_format["type"] == "json_schema" and response_format["json_schema"]["schema"] == answer_schema()
    assert "$ref" not in json.dumps(answer_schema())
    assert record.backend == "vllm+ocr" and record.type == "cet4"
    assert record.fields["total_score"] == label["fields"]["total_score"]
    assert record.fields["holder_name"] == label["fields"]["holder_name"]


def test_fields_the_ocr_reads_differently_lose_confidence_and_are_named(cet_sample):
    label, upload, page = cet_sample
    wrong_score = label["fields"]["total_score"] + 100
    with OpenAITestServer(chat_handler=lambda body: model_answer(label, total_score=wrong_score)) as server:
        record = extract_credential(upload, ocr_lines=page.lines, settings=vlm_settings(server.base_url))
    assert record.fields["total_score"] == wrong_score  # the model's reading stays, flagged
    assert record.confidence["total_score"] < 0.5 < record.confidence["holder_name"]
    assert "SECOND_OPINION_DISAGREES" in record.warning_codes
    assert any("total score" in warning and str(wrong_score) in warning for warning in record.warnings)


@pytest.mark.parametrize("answer", ["this is not JSON", '{"type": "cet4"}', '{"type": "passport", "fields": {}}'])
def test_a_malformed_answer_falls_back_to_ocr_with_a_warning(cet_sample, answer):
    label, upload, page = cet_sample
    with OpenAITestServer(chat_handler=lambda body: answer) as server:
        record = extract_credential(upload, ocr_lines=page.lines, settings=vlm_settings(server.base_url))
    assert record.backend == "ocr" and record.warning_codes[0] == "VLM_MALFORMED"
    assert record.fields["certificate_number"] == label["fields"]["certificate_number"]


def test_a_server_error_falls_back_to_ocr(cet_sample):
    label, upload, page = cet_sample
    with OpenAITestServer(chat_handler=lambda body: 500) as server:
        record = extract_credential(upload, ocr_lines=page.lines, settings=vlm_settings(server.base_url))
    assert record.backend == "ocr" and record.warning_codes[0] == "VLM_UNAVAILABLE"
    assert "read by OCR instead" in record.warnings[0]


def test_a_server_that_is_down_falls_back_to_ocr(cet_sample):
    label, upload, page = cet_sample
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    record = extract_credential(upload, ocr_lines=page.lines, settings=vlm_settings(f"http://127.0.0.1:{port}/v1"))
    assert record.backend == "ocr" and record.warning_codes[0] == "VLM_UNAVAILABLE"
    assert record.fields["holder_name"] == label["fields"]["holder_name"]


def test_a_dropped_connection_is_unavailable_not_a_crash(cet_sample):
    from credlift.errors import BackendUnavailableError

    _, upload, _ = cet_sample
    with OpenAITestServer(chat_handler=lambda body: ConnectionResetError("drop")) as server:
        with pytest.raises(BackendUnavailableError):
            VllmBackend(server.base_url, "m", timeout_s=120.0).extract(upload.rgb)


def test_an_answer_in_a_code_fence_is_accepted_and_cet_session_becomes_the_issue_date():
    record = parse_answer('```json\n{"type": "cet6", "fields": {"exam_session": "2023-12", "total_score": 480}}\n```', "vllm")
    assert record.type == "cet6" and record.fields == {"exam_session": "2023-12", "total_score": 480, "issue_date": "2023-12"}
    with pytest.raises(MalformedAnswerError):
        parse_answer('{"type": "cet6", "fields": {"total_score": "many"}}', "vllm")


def test_the_vision_models_reading_of_an_unknown_credential_is_placed_in_the_taxonomy_and_goes_to_a_person():
    """Issue 25.4 with the VLM configured: the model answers `other` with the common schema (title, holder,
    issuer, level, dates, number); the reading is placed in the taxonomy like OCR's and routed to a person."""
    from credlift.evals.synth.unknown_kinds import draw_unknown
    from credlift.knowledge.taxonomy import taxonomy
    from credlift.tools.extraction.backends.ocr_backend import OcrBackend
    from credlift.tools.extraction.generic import review_route
    from credlift.tools.extraction.ocr import read_page
    from credlift.tools.intake import load_upload

    kind = taxonomy().kind("teacher_qualification")
    image, _, drawn = draw_unknown(kind, seed=2517)
    label = drawn["fields"]
    upload = load_upload(image, filename="teacher.jpg")
    page = read_page(upload.rgb)
    answer = json.dumps({"type": "other", "fields": {key: label.get(key) for key in (
        "title", "holder_name", "issuer", "level", "issue_date", "certificate_number")}}, ensure_ascii=False)
    with OpenAITestServer(chat_handler=lambda body: answer) as server:
        record = extract_credential(upload, ocr_lines=page.lines, settings=vlm_settings(server.base_url))
    assert record.backend == "vllm+ocr" and record.type == "other"
    assert record.fields["title"] == label["title"] and record.fields["holder_name"] == label["holder_name"]
    assert (record.fields["credential_kind"], record.fields["policy_class"]) == (
        "teacher_qualification", kind.policy_class)
    assert review_route(record) == (kind.id, kind.en, kind.zh)  # a person reads it, fields prefilled
    with OpenAITestServer(chat_handler=lambda body: answer) as server:  # OCR found no line: the model's reading alone
        alone = extract_credential(upload, ocr_lines=[], settings=vlm_settings(server.base_url))
    assert "credential_kind" not in OcrBackend().extract(upload.rgb, lines=[]).fields
    assert (alone.fields["credential_kind"], review_route(alone)) == (kind.id, (kind.id, kind.en, kind.zh))
