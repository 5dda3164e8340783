"""Typed exceptions. Errors for people carry a sentence; the CLI prints it on one line and exits non-zero."""


class CredliftError(Exception):
    """Base for errors credlift raises on purpose."""


class UserInputError(CredliftError):
    """Bad input from a person (a file, an argument): the message is a sentence they can act on."""


class UnsupportedFileError(UserInputError):
    """A file that is not an image credlift can read (wrong type, truncated, too large).

    `key` names its sentence in prompts/<lang>/refusals.yaml, filled with `values`: str() is the English one
    (the command line, logs, the staff console), `say(lang)` the applicant's language."""

    def __init__(self, key: str, **values):
        self.key, self.values = key, values
        super().__init__(self.say("en"))

    def say(self, lang: str) -> str:
        from credlift.prompts import refusal

        return refusal(self.key, lang, **self.values)

    def __reduce__(self):  # crosses process pools with its key, not its English sentence
        return (_unsupported_file, (self.key, self.values))


def _unsupported_file(key: str, values: dict) -> UnsupportedFileError:
    return UnsupportedFileError(key, **values)


class BackendUnavailableError(CredliftError):
    """A configured model server cannot be reached; callers fall back or tell the person to retry."""


class NotFoundError(UserInputError):
    """An account, case or file that does not exist."""


class TemporarilyUnavailableError(UserInputError):
    """The database (or another store) is briefly unreachable: nothing was lost, the person should try again in
    a moment. The message is a sentence in the conversation's language."""

    def __init__(self, message: str, lang: str = "zh"):
        super().__init__(message)
        self.lang = lang


class StaleLimitError(CredliftError):
    """A limit decision made on a limit the account no longer has (another decision was applied in between, by
    another app process): it is not applied; the case goes to a person."""
