"""The one exception type the lab raises for expected failures."""

from __future__ import annotations


class LabError(Exception):
    """An expected failure: printed without a traceback, exits with `code`."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code
