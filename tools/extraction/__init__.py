"""What does it say? Credential type and fields read from a photo, by OCR + layout parsers or a vision model.

`extract_credential(upload, ocr_lines=None)` chooses the backend from settings: `vlm_base_url` (Qwen2.5-VL on
vLLM), else `vlm_local_path` (transformers on a GPU host), else the embedded OCR backend. With a vision model, OCR
reads the page too and serves as a second opinion; when the model cannot be reached or answers out of schema,
the OCR reading is used and the record says so.
"""
from __future__ import annotations

import logging
from functools import lru_cache

from credlift.domain.credential import CredentialRecord, OcrLine
from credlift.errors import BackendUnavailableError
from credlift.settings import Settings, get_settings

log = logging.getLogger(__name__)


def extract_credential(upload, ocr_lines: list[OcrLine] | None = None, settings: Settings | None = None,
                       quality=None) -> CredentialRecord:
    """Reads one uploaded credential (`credlift.tools.intake.UploadedImage`). `quality`: the photo's quality when
    already measured on this very image (the page read measures it; `extraction.preprocess.assess_quality`)."""
    from credlift.tools.extraction.backends.ocr_backend import OcrBackend
    from credlift.tools.extraction.messages import warning_text
    from credlift.tools.extraction.schema import MalformedAnswerError

    settings = settings or get_settings()
    ocr_record = OcrBackend().extract(upload.rgb, lines=ocr_lines, quality=quality)
    model = _vision_backend(settings)
    if model is None:
        return ocr_record
    try:
        model_record = model.extract(upload.rgb)
    except BackendUnavailableError as error:
        log.warning("vision backend %s unavailable, OCR used: %s", model.name, error)
        return _with_warning(ocr_record, "VLM_UNAVAILABLE", warning_text("VLM_UNAVAILABLE"))
    except MalformedAnswerError as error:
        log.warning("vision backend %s answered out of schema, OCR used: %s", model.name, error)
        return _with_warning(ocr_record, "VLM_MALFORMED", warning_text("VLM_MALFORMED"))
    from credlift.tools.extraction.consensus import with_second_opinion
    from credlift.tools.extraction.generic import place_in_taxonomy

    return place_in_taxonomy(with_second_opinion(model_record, ocr_record))  # the model's reading of any credential


def _vision_backend(settings: Settings):
    if settings.vlm_base_url:
        from credlift.tools.extraction.backends.vllm_backend import VllmBackend

        return VllmBackend(settings.vlm_base_url, settings.vlm_model, settings.vlm_api_key.get_secret_value(),
                           settings.vlm_timeout_s)
    if settings.vlm_local_path:
        return _local_backend(settings.vlm_local_path)
    return None


@lru_cache(maxsize=2)
def _local_backend(path: str):
    from credlift.tools.extraction.backends.local_vl import LocalQwenVL

    return LocalQwenVL(path)  # cached: the weights load once per process


def _with_warning(record: CredentialRecord, code: str, sentence: str) -> CredentialRecord:
    record.warnings.insert(0, sentence)
    record.warning_codes.insert(0, code)
    return record


__all__ = ["extract_credential", "evaluate_extraction", "ExtractionEvaluation"]


def __getattr__(name: str):
    # imported lazily: evaluation reads labelled sets and is not needed to serve uploads
    if name in ("evaluate_extraction", "ExtractionEvaluation"):
        from credlift.tools.extraction import evaluation

        return getattr(evaluation, name)
    raise AttributeError(name)
