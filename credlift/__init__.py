"""credlift: prove creditworthiness with the credentials you hold.

The import package maps the design's top-level folders: `credlift.agent` is `agent/`, `credlift.tools`
is `tools/`, and so on (see setup.py). `credlift.settings` and `credlift.domain` are the shared core
that every layer may import.
"""

__version__ = "0.1.0"

from credlift.redaction import install_log_redaction as _install_log_redaction  # noqa: E402

_install_log_redaction()  # no log line anywhere in the process carries a full resident ID number
