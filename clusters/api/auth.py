"""How API callers prove who they are: `Authorization: Token KEY` (or `Bearer KEY`) with
a personal token (clusters/tokens.py), or the browser session; and what a token's scope
lets through before any view runs (a read-only token changes nothing)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions, permissions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from clusters.tokens import ApiToken

KEYWORDS = (b"token", b"bearer")


class ApiTokenAuthentication(BaseAuthentication):
    """Personal tokens, checked against their hash; revoked, expired and kiosk tokens,
    and tokens of inactive users, are refused (401)."""

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        """(user, token), or None when the request carries no token."""
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("give the token as 'Token KEY'")
        token = ApiToken.find(parts[1].decode(errors="replace"))
        if token is None or token.user is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed("invalid, expired or revoked token")
        token.touch()
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        """What a 401 names in WWW-Authenticate."""
        return "Token"


class TokenScope(permissions.BasePermission):
    """A read-only token may only read (GET, HEAD, OPTIONS), wherever it is used."""

    message = "a read-only token cannot change anything"

    def has_permission(self, request: Request, view: Any) -> bool:
        """Safe methods always; others unless the token is read-only."""
        read_only = bool(getattr(request.auth, "read_only", False))
        return request.method in permissions.SAFE_METHODS or not read_only


class ApiTokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    """How the OpenAPI schema describes the token header."""

    target_class = "clusters.api.auth.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        """An API key in the Authorization header: `Token KEY`."""
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Token KEY (a personal token, POST /api/v1/auth/token/)",
        }
