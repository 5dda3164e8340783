"""Extraction backends: OCR + layout parsers (embedded), Qwen2.5-VL over vLLM's OpenAI API, local transformers."""
