"""Errors the console reports to people and scripts: each carries a stable `code` and the
HTTP status the API answers with; one exception handler at the API edge turns them into
`{"code", "detail", ...}` (operations/api/errors.py). Nothing here knows Django."""

from __future__ import annotations

from typing import Any


class ConsoleError(Exception):
    """Base of every error the API edge maps: `code` for scripts, the message for people."""

    code = "error"
    http_status = 400

    def describe(self) -> str:
        """The answer's detail: the message, for people."""
        return str(self)

    def extra(self) -> dict[str, Any]:
        """More fields for the answer's body, besides code and detail."""
        return {}


class InvalidInput(ConsoleError, ValueError):
    """A name or value the console (or Pacemaker) would not accept: nothing was done."""

    code = "invalid"


class ConfirmationRequired(InvalidInput):
    """A risky action without the confirmation text that names its risk."""

    code = "confirmation_required"


class NotFound(ConsoleError):
    """The object named in the request does not exist."""

    code = "not_found"
    http_status = 404


class Forbidden(ConsoleError):
    """The caller may not do this."""

    code = "forbidden"
    http_status = 403


class Conflict(ConsoleError):
    """The request conflicts with the state it was made against."""

    code = "conflict"
    http_status = 409

    def __init__(self, message: str, **fields: Any) -> None:
        super().__init__(message)
        self.fields = fields

    def extra(self) -> dict[str, Any]:
        """The fields given at construction."""
        return dict(self.fields)


class BadGateway(ConsoleError):
    """A node answered with output the console cannot read."""

    code = "unreadable_output"
    http_status = 502
