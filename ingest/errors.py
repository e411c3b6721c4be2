"""Errors that reject a whole file. Their text is shown to the user as one line."""


class FileRejected(Exception):
    """The file cannot be a valid extract; nothing of it is loaded."""

    def __init__(self, reason: str, line: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line
