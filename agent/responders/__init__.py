"""Responders: who writes the assistant's words. Same contract for the embedded deterministic responder and the LLM."""
