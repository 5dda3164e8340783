"""Forensic signals, one module each, all with the `ForensicSignal` shape; `registry.default_signals()` lists them."""
from credlift.tools.forensics.signals.base import ForensicSignal

__all__ = ["ForensicSignal"]
