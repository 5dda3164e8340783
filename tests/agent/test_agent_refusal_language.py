"""A refused upload is explained in the applicant's language: every intake refusal has a zh and an en sentence,
and a Chinese conversation never carries the English one."""
from __future__ import annotations

import io
import pickle
import re
import string

import numpy as np
import pytest
from PIL import Image

from credlift.errors import UnsupportedFileError
from credlift.evals.replay.expectations import applicant_word_problems
from credlift.prompts import load
from credlift.tools.intake import precheck


def _png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(np.full((height, width, 3), 200, np.uint8)).save(buffer, "PNG")
    return buffer.getvalue()


def _jpeg(width: int = 900, height: int = 700) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (height, width, 3), np.uint8)).save(buffer, "JPEG")
    return buffer.getvalue()


REFUSED = {  # what intake's precheck refuses without decoding a pixel, and the key it says it with
    "empty.jpg": (b"", "empty"),
    "scan.pdf": (b"%PDF-1.7\n" + b"0" * 200, "pdf_broken"),  # a PDF is read (its first page) when it opens
    "tiny.png": (_png(40, 30), "too_small"),
    "noise.jpg": (b"\xff\xd8\xff" + b"garbage" * 40, "not_an_image"),
    "photo.heic": (b"\x00\x00\x00\x18ftypheic" + b"\x00" * 64, "heif"),
}


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_refusal_has_a_sentence_in_both_languages_from_the_same_values():
    english, chinese = load("refusals", "en"), load("refusals", "zh")
    assert set(english) == set(chinese)
    for key in english:
        assert _fields(chinese[key]) <= _fields(english[key]) | {"kind_zh"}, key
        assert re.search(r"[\u4e00-\u9fff]", chinese[key]), key


@pytest.mark.parametrize("filename", sorted(REFUSED))
def test_intake_refuses_with_a_key_said_in_zh_without_english(filename):
    data, key = REFUSED[filename]
    with pytest.raises(UnsupportedFileError) as refused:
        precheck(data, filename)
    assert refused.value.key == key
    assert filename in str(refused.value) or key == "too_small"  # English for the CLI and staff, as before
    assert applicant_word_problems(refused.value.say("zh"), "zh") == []
    assert not re.search(r"[\u4e00-\u9fff]", refused.value.say("en"))


def test_a_refusal_crosses_a_process_pool_with_its_key():
    error = UnsupportedFileError("too_many_pixels", width=9000, height=9000, megapixels=81.0, limit_mp=60.0)
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.key, copy.values, str(copy)) == (error.key, error.values, str(error))


@pytest.mark.parametrize("filename", ["empty.jpg", "scan.pdf", "tiny.png"])
def test_a_chinese_conversation_hears_the_refusal_in_chinese(service, new_account, filename):
    profile = new_account("demo-graduate-01")
    thread_id = service.start(profile.account_id, lang="zh").thread_id
    result = service.upload(thread_id, [(filename, REFUSED[filename][0])])
    text = "\n".join(result.replies)
    assert "无法使用" in text or "请" in text
    assert applicant_word_problems(text, "zh") == [], text
    with pytest.raises(UnsupportedFileError) as refused:
        precheck(REFUSED[filename][0], filename)
    assert refused.value.say("zh") in text


def test_an_english_conversation_keeps_the_precise_english_reason(service, new_account):
    profile = new_account("demo-graduate-01")
    thread_id = service.start(profile.account_id, lang="en").thread_id
    text = "\n".join(service.upload(thread_id, [("tiny.png", REFUSED["tiny.png"][0])]).replies)
    assert "only 40x30 pixels" in text and not re.search(r"[\u4e00-\u9fff]", text)
