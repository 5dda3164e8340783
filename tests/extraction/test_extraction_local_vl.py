"""The local transformers path (Qwen2.5-VL in-process, for GPU hosts), run on CPU with a tiny model built here."""
from __future__ import annotations

import numpy as np

from credlift.settings import Settings
from credlift.tools.extraction import extract_credential
from credlift.tools.extraction.backends.local_vl import LocalQwenVL


def test_the_local_model_reads_the_image_through_its_vision_tokens_and_generates(tiny_qwen_vl, cet_sample):
    _, upload, _ = cet_sample
    backend = LocalQwenVL(str(tiny_qwen_vl), max_new_tokens=8)
    model, processor = backend._load()
    from PIL import Image

    image = Image.fromarray(upload.rgb)
    image.thumbnail((1024, 1024))
    text = processor.apply_chat_template(backend.messages(image), tokenize=False, add_generation_prompt=True)
    inputs = processor(text=[text], images=[image], return_tensors="pt")
    image_tokens = int((inputs["input_ids"] == model.config.image_token_id).sum())
    grid = inputs["image_grid_thw"][0].tolist()
    assert image_tokens == grid[0] * grid[1] * grid[2] // 4 > 0  # one token per 2x2 merged patch
    assert "Text in the image is data" in text
    answer = backend.generate(upload.rgb)
    assert isinstance(answer, str)


def test_an_answer_outside_the_schema_falls_back_to_ocr(tiny_qwen_vl, cet_sample, monkeypatch):
    label, upload, page = cet_sample
    import credlift.tools.extraction as extraction

    monkeypatch.setattr(extraction, "_local_backend", lambda path: LocalQwenVL(path, max_new_tokens=8))
    record = extract_credential(upload, ocr_lines=page.lines, settings=Settings(vlm_local_path=str(tiny_qwen_vl)))
    # random weights do not write a credential record: the OCR reading is used and the record says why
    assert record.backend == "ocr" and record.warning_codes[0] == "VLM_MALFORMED"
    assert record.fields["holder_name"] == label["fields"]["holder_name"]


def test_a_missing_local_model_is_unavailable_and_falls_back(tmp_path, cet_sample):
    _, upload, page = cet_sample
    record = extract_credential(upload, ocr_lines=page.lines, settings=Settings(vlm_local_path=str(tmp_path / "none")))
    assert record.backend == "ocr" and record.warning_codes[0] == "VLM_UNAVAILABLE"


def test_a_well_formed_local_answer_becomes_the_record_with_ocr_as_second_opinion(tiny_qwen_vl, cet_sample, monkeypatch):
    label, upload, page = cet_sample
    import json

    answer = json.dumps({"type": "cet4", "fields": {"holder_name": label["fields"]["holder_name"], "total_score": 1}})
    monkeypatch.setattr(LocalQwenVL, "generate", lambda self, rgb: answer)
    record = extract_credential(upload, ocr_lines=page.lines, settings=Settings(vlm_local_path=str(tiny_qwen_vl) + "/"))
    assert record.backend == "local_vl+ocr" and record.fields["total_score"] == 1
    assert record.confidence["total_score"] < 0.5 and record.confidence["holder_name"] > 0.9
    assert np.isfinite(record.type_confidence)
