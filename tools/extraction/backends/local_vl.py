"""Qwen2.5-VL run in-process with transformers (GPU hosts; the `gpu` extra). Imported lazily: torch is heavy."""
from __future__ import annotations

import threading

import numpy as np

from credlift.domain.credential import CredentialRecord
from credlift.errors import BackendUnavailableError
from credlift.tools.extraction.schema import parse_answer

#: the long side of the image given to the model (Qwen2.5-VL's dynamic resolution: fewer pixels, fewer tokens)
LOCAL_LONG_SIDE = 1024


class LocalQwenVL:
    name = "local_vl"

    def __init__(self, model_path: str, max_new_tokens: int = 512, lang: str = "en", device: str | None = None):
        self.model_path = model_path
        self.max_new_tokens = max_new_tokens
        self.lang = lang
        self.device = device
        self._model = None
        self._processor = None
        self._lock = threading.Lock()

    def _load(self):
        with self._lock:
            if self._model is None:
                try:
                    import torch
                    from transformers import Qwen2_5_VLForConditionalGeneration
                except ImportError as error:
                    raise BackendUnavailableError(f"the local vision model needs the gpu extra ({error.name} missing)") from None
                device = self.device or ("cuda" if torch.cuda.is_available() else "cpu")
                dtype = torch.bfloat16 if device.startswith("cuda") else torch.float32
                try:
                    self._processor = _load_processor(self.model_path)
                    self._model = Qwen2_5_VLForConditionalGeneration.from_pretrained(self.model_path, dtype=dtype).to(device).eval()
                except OSError as error:
                    raise BackendUnavailableError(f"the local vision model at {self.model_path} cannot be loaded: {error}") from None
        return self._model, self._processor

    def messages(self, image) -> list[dict]:
        from credlift.prompts import load

        prompt = load("vlm_extraction", self.lang)
        return [
            {"role": "system", "content": [{"type": "text", "text": prompt["system"].strip()}]},
            {"role": "user", "content": [{"type": "image", "image": image},
                                         {"type": "text", "text": prompt["instruction"].strip()}]},
        ]

    def generate(self, rgb: np.ndarray) -> str:
        import torch
        from PIL import Image

        model, processor = self._load()
        image = Image.fromarray(rgb)
        if max(image.size) > LOCAL_LONG_SIDE:
            image.thumbnail((LOCAL_LONG_SIDE, LOCAL_LONG_SIDE), Image.Resampling.LANCZOS)
        messages = self.messages(image)
        text = processor.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        images = [image]
        try:  # qwen-vl-utils (gpu extra) applies Qwen's own resizing rules; without it the processor's are used
            from qwen_vl_utils import process_vision_info

            images, _ = process_vision_info(messages)
        except ImportError:
            pass
        inputs = processor(text=[text], images=images, return_tensors="pt").to(model.device)
        with torch.inference_mode():
            output = model.generate(**inputs, max_new_tokens=self.max_new_tokens, do_sample=False)
        new_tokens = output[:, inputs["input_ids"].shape[1]:]
        return processor.batch_decode(new_tokens, skip_special_tokens=True)[0]

    def extract(self, rgb: np.ndarray) -> CredentialRecord:
        """Raises BackendUnavailableError (no model) or MalformedAnswerError (an answer that is not the schema)."""
        return parse_answer(self.generate(rgb), backend="local_vl")


def _load_processor(model_path: str):
    """Qwen's own processor; where it cannot be built (no torchvision for its video half, as on CPU hosts),
    the same steps composed from the checkpoint's tokenizer and image processor."""
    from transformers import AutoProcessor

    try:
        return AutoProcessor.from_pretrained(model_path)
    except (ImportError, AttributeError, TypeError, ValueError):
        return ComposedQwenVLProcessor.from_pretrained(model_path)


class ComposedQwenVLProcessor:
    """Chat template, image patches and image-token expansion, as Qwen2_5_VLProcessor does them for images."""

    image_token = "<|image_pad|>"

    def __init__(self, tokenizer, image_processor):
        self.tokenizer = tokenizer
        self.image_processor = image_processor
        self.merge_size = int(getattr(image_processor, "merge_size", 2))

    @classmethod
    def from_pretrained(cls, model_path: str) -> ComposedQwenVLProcessor:
        from transformers import AutoImageProcessor, AutoTokenizer

        return cls(AutoTokenizer.from_pretrained(model_path), AutoImageProcessor.from_pretrained(model_path))

    def apply_chat_template(self, messages, tokenize: bool = False, add_generation_prompt: bool = True) -> str:
        return self.tokenizer.apply_chat_template(messages, tokenize=tokenize, add_generation_prompt=add_generation_prompt)

    def __call__(self, text: list[str], images=None, return_tensors: str = "pt"):
        from transformers import BatchFeature

        vision = self.image_processor(images=images, return_tensors=return_tensors) if images else {}
        expanded = []
        grids = iter(vision["image_grid_thw"].tolist()) if images else iter(())
        for prompt in text:
            pieces = prompt.split(self.image_token)
            out = pieces[0]
            for piece in pieces[1:]:
                t, h, w = next(grids)
                out += self.image_token * (t * h * w // self.merge_size ** 2) + piece
            expanded.append(out)
        encoded = self.tokenizer(expanded, return_tensors=return_tensors, padding=True)
        return BatchFeature(data={**encoded, **dict(vision)})

    def batch_decode(self, token_ids, skip_special_tokens: bool = True) -> list[str]:
        return self.tokenizer.batch_decode(token_ids, skip_special_tokens=skip_special_tokens)
