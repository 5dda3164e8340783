"""`credlift training ...`: bad input is a sentence for people (UserInputError), not a traceback."""
from __future__ import annotations

import pytest
from typer.testing import CliRunner

from credlift.errors import UserInputError
from credlift.ui.cli import app


@pytest.mark.parametrize("arguments, sentence", [
    (["build-sft", "--out", "x", "--languages", "fr"], "--languages takes zh, en or both"),
    (["build-sft", "--out", "x", "--loan-book", "/nonexistent/book.parquet"], "does not exist"),
    (["finetune", "--base-model", "/nonexistent/qwen", "--train", "t.jsonl", "--out", "o"], "does not exist"),
    (["evaluate", "--base-url", "localhost:8000", "--data", __file__], "must start with http"),
])
def test_bad_arguments_are_refused_with_a_sentence(arguments, sentence):
    result = CliRunner().invoke(app, ["training", *arguments])
    assert isinstance(result.exception, UserInputError)
    assert sentence in str(result.exception)


def test_an_unknown_fine_tuning_setting_is_refused_with_a_sentence(tmp_path):
    base = tmp_path / "base"
    base.mkdir()
    train = tmp_path / "train.jsonl"
    train.write_text("{}\n")
    result = CliRunner().invoke(app, ["training", "finetune", "--base-model", str(base), "--train", str(train),
                                      "--out", str(tmp_path / "run"), "--rank", "0"])
    assert isinstance(result.exception, UserInputError)
    assert "lora_rank" in str(result.exception)


def test_evaluating_a_file_that_is_not_sft_data_is_refused(tmp_path):
    data = tmp_path / "test.jsonl"
    data.write_text('{"messages": []}\n')
    result = CliRunner().invoke(app, ["training", "evaluate", "--base-url", "http://127.0.0.1:9/v1",
                                      "--data", str(data)])
    assert isinstance(result.exception, UserInputError)
    assert "not an SFT file" in str(result.exception)
