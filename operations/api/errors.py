"""The API's one error path (REST_FRAMEWORK's EXCEPTION_HANDLER): every error answers
`{"code", "detail", ...}`: the console's own (hacore.errors.ConsoleError and its
subclasses, with their status) and DRF's (not_authenticated, permission_denied, invalid
with the field `errors`, each also under its own field name, ...)."""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler

from hacore.errors import ConsoleError


def handle(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Map exc to a response (None: not an API error, Django's 500 path takes it)."""
    if isinstance(exc, ConsoleError):
        body = {"code": exc.code, "detail": exc.describe(), **exc.extra()}
        return Response(body, status=exc.http_status)
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        # Each field's errors also stay under its own name, as DRF (and this API) has
        # always answered them.
        fields = exc.detail if isinstance(exc.detail, dict) else {}
        summary = {"code": "invalid", "detail": flatten(exc.detail), "errors": exc.detail}
        response.data = {**fields, **summary}
    elif isinstance(exc, exceptions.APIException) and isinstance(response.data, dict):
        response.data.setdefault(
            "code", exc.get_codes() if isinstance(exc.get_codes(), str) else "error"
        )
    return response


def flatten(detail: Any, prefix: str = "") -> str:
    """DRF's nested error detail as one readable line: "field: message; other: message"."""
    if isinstance(detail, dict):
        return "; ".join(
            flatten(v, f"{prefix}{k}: " if k != "non_field_errors" else prefix)
            for k, v in detail.items()
        )
    if isinstance(detail, list):
        return "; ".join(flatten(v, prefix) for v in detail)
    return f"{prefix}{detail}"
