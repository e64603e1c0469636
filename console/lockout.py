"""What a locked-out login sees (django-axes' AXES_LOCKOUT_CALLABLE): the API's error
shape `{"code": "locked_out", "detail"}` under /api/, a page elsewhere; both 429. Each
lock-out is also logged (and kept by axes: Admin > Axes)."""

from __future__ import annotations

import logging
from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.signals import user_locked_out
from django.conf import settings
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

log = logging.getLogger("haconsole.security")


class LoginLockout(AxesStandaloneBackend):  # type: ignore[misc]
    """django-axes' backend for every login that comes with a request (the login page,
    the admin's, POST /api/v1/auth/token/: each passes its request); a check without
    one (a management command, the test client's login()) is not a web login and is
    left to the next backend instead of failing."""

    def authenticate(self, request: HttpRequest | None, *args: Any, **kwargs: Any) -> Any:
        """Refuse a locked-out login (axes); without a request, step aside."""
        if request is None:
            return None
        return super().authenticate(request, *args, **kwargs)


def minutes() -> int:
    """How long a lock-out lasts, in minutes."""
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def locked_out(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """429: too many failed logins for this user name or from this address."""
    detail = (
        f"too many failed logins for this user or from this address: try again in "
        f"{minutes()} minutes, or ask an administrator to unlock it"
    )
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "locked_out", "detail": detail}, status=429)
    return render(request, "frontend/locked_out.html", {"detail": detail}, status=429)


@receiver(user_locked_out)
def _log_lockout(
    sender: Any, request: HttpRequest, username: str, ip_address: str, **_: Any
) -> None:
    log.warning("login locked out: user %r from %s (%s)", username, ip_address, request.path)
