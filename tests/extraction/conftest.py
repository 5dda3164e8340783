"""Images for the extraction tests, drawn once per session by the synthetic generator and read by OCR once."""
from __future__ import annotations

from functools import lru_cache

import pytest

from credlift.domain.credential import CREDENTIAL_TYPES

# seeds used by the tests (never the held-out evaluation seed 101)
# one generated sample per registered type; a type added to the registry gets the next seed
_FIRST_SEEDS = {"cet4": 3, "cet6": 4, "graduation": 5, "degree": 6, "vocational": 7, "award": 8, "qualification": 9}
TYPE_SEEDS = {t: _FIRST_SEEDS.get(t, 10 + i) for i, t in enumerate(CREDENTIAL_TYPES)}


@lru_cache(maxsize=None)
def rendered(credential_type: str, seed: int, capture: str = "scan"):
    """(label row, UploadedImage) for one synthetic credential."""
    from credlift.evals.synth.generate import SynthSpec, render_credential
    from credlift.tools.intake import load_upload

    sample = render_credential(SynthSpec(type=credential_type, seed=seed, capture=capture))
    return sample.label, load_upload(sample.image_bytes, filename=sample.label["file"])


@lru_cache(maxsize=None)
def page_of(credential_type: str, seed: int, capture: str = "scan"):
    from credlift.tools.extraction.ocr import read_page

    return read_page(rendered(credential_type, seed, capture)[1].rgb)


@pytest.fixture(scope="session")
def credential_samples():
    """For each credential type: (label row, upload, OCR page)."""
    return {t: (*rendered(t, TYPE_SEEDS[t]), page_of(t, TYPE_SEEDS[t])) for t in CREDENTIAL_TYPES}


@pytest.fixture(scope="session")
def cet_sample():
    label, upload = rendered("cet4", TYPE_SEEDS["cet4"])
    return label, upload, page_of("cet4", TYPE_SEEDS["cet4"])


# Qwen2.5-VL's chat layout (ChatML with a vision block per image), reduced to what extraction sends.
QWEN_VL_CHAT_TEMPLATE = (
    "{%- for message in messages %}"
    "{{- '<|im_start|>' + message['role'] + '\\n' }}"
    "{%- if message['content'] is string %}{{- message['content'] }}{%- else %}"
    "{%- for part in message['content'] %}"
    "{%- if part['type'] == 'image' %}{{- '<|vision_start|><|image_pad|><|vision_end|>' }}"
    "{%- elif part['type'] == 'text' %}{{- part['text'] }}{%- endif %}"
    "{%- endfor %}{%- endif %}"
    "{{- '<|im_end|>\\n' }}"
    "{%- endfor %}"
    "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}"
)
QWEN_VL_SPECIALS = ("<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|vision_start|>", "<|vision_end|>",
                    "<|image_pad|>", "<|video_pad|>")


@pytest.fixture(scope="session")
def tiny_qwen_vl(tmp_path_factory):
    """A tiny Qwen2.5-VL checkpoint built from a config: random weights, a byte-level BPE trained here, Qwen's
    image processor settings at a small pixel budget. Nothing is downloaded."""
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast, Qwen2_5_VLConfig, Qwen2_5_VLForConditionalGeneration
    from transformers.models.qwen2_vl.image_processing_pil_qwen2_vl import Qwen2VLImageProcessorPil

    out = tmp_path_factory.mktemp("tiny-qwen2.5-vl")
    corpus = ['{"type": "cet4", "fields": {"holder_name": "林晓雨", "total_score": 532, "certificate_number": null}}',
              "全国大学英语四级考试成绩报告单 毕业证书 学位证书 职业技能等级证书 荣誉证书 会计专业技术资格"] * 10
    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    bpe.train_from_iterator(corpus, trainer=trainers.BpeTrainer(
        vocab_size=400, special_tokens=list(QWEN_VL_SPECIALS), initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False))
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=bpe, eos_token="<|im_end|>", pad_token="<|endoftext|>",
                                        additional_special_tokens=list(QWEN_VL_SPECIALS[1:]))
    tokenizer.chat_template = QWEN_VL_CHAT_TEMPLATE
    ids = {token: tokenizer.convert_tokens_to_ids(token) for token in QWEN_VL_SPECIALS}
    torch.manual_seed(0)
    config = Qwen2_5_VLConfig(
        text_config={"vocab_size": len(tokenizer), "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
                     "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 4096,
                     "rope_parameters": {"rope_type": "default", "rope_theta": 10000.0, "mrope_section": [2, 3, 3]},
                     "bos_token_id": ids["<|endoftext|>"], "eos_token_id": ids["<|im_end|>"],
                     "pad_token_id": ids["<|endoftext|>"]},
        vision_config={"depth": 2, "hidden_size": 32, "intermediate_size": 64, "num_heads": 2, "out_hidden_size": 64,
                       "fullatt_block_indexes": [1], "window_size": 56},
        image_token_id=ids["<|image_pad|>"], video_token_id=ids["<|video_pad|>"],
        vision_start_token_id=ids["<|vision_start|>"], vision_end_token_id=ids["<|vision_end|>"])
    Qwen2_5_VLForConditionalGeneration(config).save_pretrained(out)
    tokenizer.save_pretrained(out)
    Qwen2VLImageProcessorPil(min_pixels=28 * 28 * 4, max_pixels=28 * 28 * 16).save_pretrained(out)
    return out
