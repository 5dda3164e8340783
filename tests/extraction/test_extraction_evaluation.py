"""Extraction evaluation on a labelled synthetic set: type accuracy, exact match per field, time per image."""
from __future__ import annotations

import json

import pytest

from credlift.errors import UserInputError
from credlift.tools.extraction.evaluation import evaluate_extraction


def test_a_small_generated_set_is_scored_per_field_and_timed(tmp_path):
    from credlift.evals.synth.generate import generate_dataset

    generate_dataset(tmp_path, n=3, seed=5, types=["cet4", "degree"], capture="scan", workers=1)
    evaluation = evaluate_extraction(tmp_path)
    assert evaluation.images == 3 and evaluation.type_accuracy == 1.0
    assert evaluation.field_accuracy["certificate_number"] == 1.0 and evaluation.field_counts["holder_name"] == 3
    assert 0 < evaluation.p50_s <= evaluation.p95_s and evaluation.cpu_p50_s > 0
    assert "3 images: type 100.0%" in evaluation.summary()


def test_tampered_rows_are_left_out_and_a_missing_set_is_a_sentence(tmp_path):
    (tmp_path / "labels.jsonl").write_text(json.dumps({"file": "x.png", "type": "cet4", "fields": {}, "tampered": True}) + "\n")
    assert evaluate_extraction(tmp_path).images == 0
    with pytest.raises(UserInputError, match="labels.jsonl"):
        evaluate_extraction(tmp_path / "nowhere")
