"""Login is required for every page (the API enforces it itself: token or session); a
session ends after SESSION_IDLE_TIMEOUT without a request, besides its absolute
lifetime (SESSION_COOKIE_AGE)."""

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import HttpRequest, HttpResponseBase

SEEN = "haconsole_seen"  # session key: when the session last made a request (epoch s)
SEEN_EVERY = 30  # seconds: the session is written at most this often for it


def idle_expired(session: Any, now: float | None = None) -> bool:
    """Whether the session has been idle longer than SESSION_IDLE_TIMEOUT."""
    seen = session.get(SEEN)
    now = time.time() if now is None else now
    return isinstance(seen, (int, float)) and now - seen > settings.SESSION_IDLE_TIMEOUT


class SessionTimeoutMiddleware:
    """Log out a session idle for longer than SESSION_IDLE_TIMEOUT (its sockets close
    with the logout); otherwise note that it is in use."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        """Check, then note, the session's last request."""
        if request.user.is_authenticated and request.session.session_key:
            now = time.time()
            if idle_expired(request.session, now):
                logout(request)
            elif now - request.session.get(SEEN, 0) > SEEN_EVERY:
                request.session[SEEN] = now
        return self.get_response(request)


class LoginRequiredForPagesMiddleware(LoginRequiredMiddleware):
    """Django's LoginRequiredMiddleware, except for /api/, where DRF authenticates tokens.

    DRF's default permission class (IsAuthenticated) keeps every API view closed; the
    schema and docs views are closed by SPECTACULAR_SETTINGS["SERVE_PERMISSIONS"].
    """

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponseBase],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponseBase | None:
        """Skip the redirect-to-login for API paths; DRF answers 401/403 there."""
        if request.path_info.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
