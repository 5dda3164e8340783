"""credlift: prove creditworthiness with the credentials you hold.

The import package maps the design's top-level folders: `credlift.agent` is `agent/`, `credlift.tools`
is `tools/`, and so on (see setup.py). `credlift.settings` and `credlift.domain` are the shared core
that every layer may import.
"""

__version__ = "0.1.0"
