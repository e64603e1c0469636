"""Login is required for every page; the API enforces it itself (token or session)."""

from collections.abc import Callable
from typing import Any

from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import HttpRequest, HttpResponseBase


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
