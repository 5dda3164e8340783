"""Typed exceptions. Errors for people carry a sentence; the CLI prints it on one line and exits non-zero."""


class CredliftError(Exception):
    """Base for errors credlift raises on purpose."""


class UserInputError(CredliftError):
    """Bad input from a person (a file, an argument): the message is a sentence they can act on."""


class UnsupportedFileError(UserInputError):
    """A file that is not an image credlift can read (wrong type, truncated, too large)."""


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
