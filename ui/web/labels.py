"""Switches every registered component's labels between Chinese and English when the applicant picks a language."""
from __future__ import annotations

import gradio as gr

from credlift.ui.web.i18n import t


class Labeller:
    def __init__(self, lang: str) -> None:
        self.lang = lang
        self._entries: list[tuple[gr.components.Component, dict[str, str]]] = []

    def add(self, component, **attribute_keys: str):
        """Registers `component` whose attributes (label=, value=, placeholder=, info=) are label keys.

        The first language is written straight into the component, so the page loads already labelled.
        """
        for attribute, key in attribute_keys.items():
            setattr(component, attribute, t(self.lang, key))
        self._entries.append((component, attribute_keys))
        return component

    @property
    def components(self) -> list:
        return [component for component, _ in self._entries]

    def updates(self, lang: str) -> list:
        return [gr.update(**{attribute: t(lang, key) for attribute, key in keys.items()}) for _, keys in self._entries]
