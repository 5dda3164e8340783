"""A transformers model (+ an optional merged LoRA adapter) behind credlift's OpenAI-compatible server, on CPU.

The HTTP side is `evals/openai_test_server.py` (the one OpenAI-compatible handler credlift runs offline); this
module supplies the chat handler that generates with the model. It is what `credlift training compare` measures
base and tuned models through (the same HTTP path, client and validator the app uses), and what
`credlift training serve` runs for the app (`CREDLIFT_LLM_BASE_URL`).

Generation is greedy. A request with `response_format` json_schema or json_object is decoded under that
constraint (lm-format-enforcer: at each step only the tokens that keep the text a valid prefix of the schema are
allowed), as vLLM's structured output does; `constrained=False` refuses such a request with HTTP 400 instead, so
credlift's client falls back to a plain request and validates the JSON itself — the figures then show what the
model writes, not what a grammar forces. One request generates at a time (a lock); others wait. `max_new_tokens` caps every answer (the training targets are under 250 SmolLM2 tokens).

A `GenerationCache` (JSONL on disk) remembers answers by (model key, messages, token limit, the response_format
when one was enforced): an evaluation can
fill it in batches (`generate_batch`, left-padded, several prompts per forward pass — CPU decoding is bound by
reading the weights, so a batch of 8 costs little more per step than one) and then be scored through the server,
which answers cached prompts without generating; a rerun costs nothing.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import time
from pathlib import Path

from credlift.evals.openai_test_server import Completion, OpenAITestServer, Refusal

logger = logging.getLogger(__name__)

DEFAULT_MAX_NEW_TOKENS = 320
MAX_JSON_WHITESPACE = 2  # consecutive whitespace characters a constrained answer may hold


def load_for_serving(base_model: str | Path, adapter_dir: Path | None = None):
    """(model, tokenizer): the base model, with the adapter merged into it when given, in eval mode on CPU."""
    from credlift.training.base_models import load_causal_lm, load_tokenizer

    model = load_causal_lm(base_model)
    if adapter_dir is not None:
        from peft import PeftModel

        model = PeftModel.from_pretrained(model, adapter_dir).merge_and_unload()
    return model.eval(), load_tokenizer(base_model)


def model_key(base_model: str | Path, adapter_dir: Path | None = None) -> str:
    """What identifies generated text: the base model spec and the adapter's weights (their sha256)."""
    key = str(base_model)
    if adapter_dir is not None:
        weights = Path(adapter_dir) / "adapter_model.safetensors"
        key += "+" + hashlib.sha256(weights.read_bytes()).hexdigest()[:16]
    return key


def plain_messages(messages: list[dict]) -> list[dict]:
    """role + text content only: what the chat template renders (tools and names are not rendered here)."""
    out = []
    for message in messages:
        content = message.get("content")
        if isinstance(content, list):
            content = " ".join(part.get("text", "") for part in content if isinstance(part, dict))
        role = message.get("role", "user")
        out.append({"role": "user" if role == "tool" else role, "content": content or ""})
    return out


class GenerationCache:
    """Generated answers on disk: key -> text, token counts, finish reason, CPU seconds, timings.

    `path` is a folder (every `*.jsonl` in it is read; this process appends to its own file, so several
    processes can fill one cache at once) or a single `.jsonl` file; None keeps the cache in memory."""

    def __init__(self, path: Path | None):
        self.path = Path(path) if path else None
        self._entries: dict[str, dict] = {}
        self._lock = threading.Lock()
        self.hits = 0
        if self.path is None:
            return
        files = sorted(self.path.glob("*.jsonl")) if self.path.is_dir() or not self.path.suffix else [self.path]
        for file in files:
            if not file.exists():
                continue
            for line in file.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    entry = json.loads(line)
                    self._entries[entry["key"]] = entry

    @property
    def file(self) -> Path | None:
        if self.path is None:
            return None
        if self.path.suffix == ".jsonl":
            return self.path
        return self.path / f"generations-{os.getpid()}.jsonl"

    @staticmethod
    def key(model: str, messages: list[dict], max_new_tokens: int, response_format: dict | None = None) -> str:
        """`response_format`: the constraint the answer was decoded under (None: unconstrained)."""
        payload = {"model": model, "messages": plain_messages(messages), "max_new_tokens": max_new_tokens}
        if response_format is not None:
            payload["response_format"] = response_format
        text = json.dumps(payload, ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def get(self, key: str) -> dict | None:
        entry = self._entries.get(key)
        if entry is not None:
            self.hits += 1
        return entry

    def put(self, key: str, entry: dict) -> None:
        entry = {"key": key, **entry}
        with self._lock:
            self._entries[key] = entry
            if self.file is not None:
                self.file.parent.mkdir(parents=True, exist_ok=True)
                with self.file.open("a", encoding="utf-8") as handle:
                    handle.write(json.dumps(entry, ensure_ascii=False) + "\n")

    def __contains__(self, key: str) -> bool:
        return key in self._entries

    def __len__(self) -> int:
        return len(self._entries)


def constrained_format(response_format: dict | None) -> dict | None:
    """The response_format to enforce (json_schema or json_object), or None for text / none."""
    if not response_format or response_format.get("type") not in ("json_schema", "json_object"):
        return None
    return response_format


def enforcer_tokenizer_data(tokenizer):
    """lm-format-enforcer's view of a vocabulary: (id, text, starts a word) for every regular token. Its own
    transformers helper imports a module transformers 5 moved, so the same table is built here."""
    from lmformatenforcer import TokenEnforcerTokenizerData

    special = set(tokenizer.all_special_ids)
    ids = [i for i in range(len(tokenizer)) if i not in special]
    zero = tokenizer.encode("0", add_special_tokens=False)[-1]
    # A token decoded after "0" keeps the leading space a word-start token carries; alone it may lose it.
    after_zero = [text[1:] for text in tokenizer.batch_decode([[zero, i] for i in ids])]
    alone = tokenizer.batch_decode([[i] for i in ids])
    regular = [(i, text, len(text) > len(single)) for i, text, single in zip(ids, after_zero, alone)]

    def decode(tokens: list[int]) -> str:
        return tokenizer.decode(tokens).rstrip("\ufffd")

    return TokenEnforcerTokenizerData(regular, decode, tokenizer.eos_token_id, False, len(tokenizer))


class JsonConstraint:
    """Per-row JSON constraints for `generate(prefix_allowed_tokens_fn=...)`: each conversation of a batch may
    carry its own schema (the citable clause ids differ per case); a row without one is left free."""

    _tokenizer_data: dict[int, object] = {}

    def __init__(self, tokenizer, formats: list[dict | None]):
        from lmformatenforcer import CharacterLevelParserConfig, JsonSchemaParser, TokenEnforcer

        data = self._tokenizer_data.get(id(tokenizer))
        if data is None:  # the vocabulary's prefix tree: built once per tokenizer (seconds)
            data = self._tokenizer_data[id(tokenizer)] = enforcer_tokenizer_data(tokenizer)
        self.free = list(range(len(tokenizer)))
        # Whitespace between tokens is allowed but short: a small model can otherwise loop on blank lines.
        # Keys come in the schema's `required` order (as the SFT targets write them: the reasoner's rationale first).
        config = CharacterLevelParserConfig(max_consecutive_whitespaces=MAX_JSON_WHITESPACE,
                                            force_json_field_order=True)
        # json_object means an object (as OpenAI and vLLM read it), not any JSON value: a bare number is refused.
        self.enforcers = [None if f is None else TokenEnforcer(data, JsonSchemaParser(
            f["json_schema"]["schema"] if f["type"] == "json_schema" else {"type": "object"}, config))
            for f in formats]

    def __call__(self, batch_id: int, sent) -> list[int]:
        enforcer = self.enforcers[batch_id]
        if enforcer is None:
            return self.free
        return enforcer.get_allowed_tokens(sent.tolist()).allowed_tokens


def generate_batch(model, tokenizer, conversations: list[list[dict]], max_new_tokens: int,
                   formats: list[dict | None] | None = None) -> list[dict]:
    """Greedy answers to several conversations in one left-padded batch; CPU seconds shared out evenly, the
    batch's wall seconds to its first token and to its end recorded with each answer. `formats`: per
    conversation, the response_format to enforce (see `constrained_format`) or None."""
    import torch

    texts = [tokenizer.apply_chat_template(plain_messages(c), add_generation_prompt=True, tokenize=False)
             for c in conversations]
    side = tokenizer.padding_side
    tokenizer.padding_side = "left"
    try:
        inputs = tokenizer(texts, return_tensors="pt", padding=True, add_special_tokens=False)
    finally:
        tokenizer.padding_side = side
    from transformers import StoppingCriteria, StoppingCriteriaList

    first: list[float] = []

    class FirstToken(StoppingCriteria):  # called once per generated token: the first call ends the prefill
        def __call__(self, input_ids, scores, **kwargs):
            if not first:
                first.append(time.perf_counter())
            return torch.zeros(input_ids.shape[0], dtype=torch.bool)

    formats = [constrained_format(f) for f in (formats or [None] * len(conversations))]
    started, began = time.process_time(), time.perf_counter()
    constraint = JsonConstraint(tokenizer, formats) if any(formats) else None
    with torch.no_grad():
        out = model.generate(**inputs, max_new_tokens=max_new_tokens, do_sample=False,
                             pad_token_id=tokenizer.pad_token_id, stopping_criteria=StoppingCriteriaList([FirstToken()]),
                             prefix_allowed_tokens_fn=constraint)
    cpu_s = (time.process_time() - started) / len(conversations)
    wall_s = time.perf_counter() - began
    first_token_s = (first[0] - began) if first else wall_s
    answers = []
    width = inputs["input_ids"].shape[1]
    for row, mask in zip(out, inputs["attention_mask"]):
        new = row[width:].tolist()
        finished = tokenizer.eos_token_id in new
        if finished:
            new = new[:new.index(tokenizer.eos_token_id) + 1]
        answers.append({"text": tokenizer.decode(new, skip_special_tokens=True),
                        "prompt_tokens": int(mask.sum()), "completion_tokens": len(new),
                        "finish_reason": "stop" if finished else "length", "cpu_s": round(cpu_s, 3),
                        "first_token_s": round(first_token_s, 3), "wall_s": round(wall_s, 3),
                        "batch": len(conversations), "constrained": formats[len(answers)] is not None})
    return answers


class LocalChatServer:
    """`with LocalChatServer(model, tokenizer, "credlift-risk") as server: ... server.base_url ...`"""

    def __init__(self, model, tokenizer, model_name: str = "credlift-risk", host: str = "127.0.0.1", port: int = 0,
                 max_new_tokens: int = DEFAULT_MAX_NEW_TOKENS, cache: GenerationCache | None = None,
                 cache_model_key: str = "", stats_file: Path | None = None, constrained: bool = True):
        """`stats_file`: one JSON line per request generated here (tokens, CPU s, first-token and total s).
        `constrained`: enforce a request's json_schema / json_object response_format (else refuse it, HTTP 400)."""
        self.constrained = constrained
        self.model, self.tokenizer, self.model_name = model, tokenizer, model_name
        self.max_new_tokens = max_new_tokens
        self.cache, self.cache_model_key = cache, cache_model_key or model_name
        self.completions = 0
        self.completion_tokens = 0
        self.refused_formats = 0
        self.cpu_s = 0.0  # process CPU seconds of the generations (cached ones count what they cost then)
        self.answers: list[str] = []  # every answer, in order (what an evaluation inspects)
        self.stats_file = Path(stats_file) if stats_file else None
        self._lock = threading.Lock()
        self.http = OpenAITestServer(chat_handler=self._answer, model=model_name, host=host, port=port,
                                     strict_model=True)

    @property
    def base_url(self) -> str:
        return self.http.base_url

    def start(self) -> "LocalChatServer":
        self.http.start()
        return self

    def stop(self) -> None:
        self.http.stop()

    def __enter__(self) -> "LocalChatServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def limit(self, max_tokens: int | None) -> int:
        return min(int(max_tokens or self.max_new_tokens), self.max_new_tokens)

    def generate(self, messages: list[dict], max_tokens: int | None,
                 response_format: dict | None = None) -> tuple[str, int, int, str]:
        """(text, prompt tokens, completion tokens, finish reason); greedy, under `response_format` when it is
        json_schema / json_object; from the cache when it holds it."""
        limit = self.limit(max_tokens)
        response_format = constrained_format(response_format)
        key = (GenerationCache.key(self.cache_model_key, messages, limit, response_format)
               if self.cache is not None else "")
        entry = self.cache.get(key) if self.cache is not None else None
        if entry is None:
            if self.model is None:
                raise LookupError("no model loaded and the answer is not in the cache")
            with self._lock:
                entry = generate_batch(self.model, self.tokenizer, [messages], limit, [response_format])[0]
            if self.cache is not None:
                self.cache.put(key, entry)
            if self.stats_file is not None:
                with self.stats_file.open("a", encoding="utf-8") as handle:
                    handle.write(json.dumps({k: v for k, v in entry.items() if k != "text"}) + "\n")
        self.completions += 1
        self.completion_tokens += entry["completion_tokens"]
        self.cpu_s += entry.get("cpu_s", 0.0)
        self.answers.append(entry["text"])
        return entry["text"], entry["prompt_tokens"], entry["completion_tokens"], entry["finish_reason"]

    def _answer(self, body: dict):
        response_format = constrained_format(body.get("response_format"))
        if response_format is not None and not self.constrained:
            self.refused_formats += 1
            return Refusal(400, "response_format is not supported: generation is unconstrained")
        started = time.perf_counter()
        text, prompt_tokens, completion_tokens, finish = self.generate(body["messages"], body.get("max_tokens"),
                                                                       response_format)
        logger.info("local model server: %d+%d tokens in %.1f s", prompt_tokens, completion_tokens,
                    time.perf_counter() - started)
        return Completion(text, prompt_tokens, completion_tokens, finish)
