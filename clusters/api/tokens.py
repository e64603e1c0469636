"""Tokens API: POST /auth/token/ (a personal token for a username and password, as DRF's
obtain_auth_token answered), and /tokens/ (list, make, revoke one's tokens)."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status, throttling, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from clusters.access import visible
from clusters.models import Cluster
from clusters.tokens import ApiToken, Kind
from hacore.errors import Forbidden, InvalidInput


class ApiTokenSerializer(serializers.ModelSerializer[ApiToken]):
    """A token as listed: never its key."""

    user = serializers.CharField(source="user.username", read_only=True, default=None)

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "name",
            "kind",
            "user",
            "prefix",
            "read_only",
            "all_clusters",
            "clusters",
            "expires",
            "created",
            "last_used",
            "revoked",
        ]
        read_only_fields = fields


class NewTokenSerializer(serializers.Serializer[Any]):
    """A new personal token: its name, scope and lifetime."""

    name = serializers.CharField(max_length=100)
    scope = serializers.ChoiceField(choices=["read-only", "read-write"], default="read-write")
    clusters = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        required=False,
        help_text="only these clusters (default: every cluster the user has a role on)",
    )
    expires_in_days = serializers.IntegerField(min_value=1, max_value=3650, required=False)


class IssuedSerializer(ApiTokenSerializer):
    """A token just made, with its key: shown this once."""

    token = serializers.CharField(source="key", read_only=True)

    class Meta(ApiTokenSerializer.Meta):
        fields = ["token", *ApiTokenSerializer.Meta.fields]
        read_only_fields = fields


class LoginSerializer(serializers.Serializer[Any]):
    """A username and password (and, optionally, the new token's name and lifetime)."""

    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)
    name = serializers.CharField(max_length=100, required=False)
    expires_in_days = serializers.IntegerField(min_value=1, max_value=3650, required=False)


def issue(user: Any, data: dict[str, Any], name: str) -> ApiToken:
    """A personal token for user with the scope asked (clusters must be theirs)."""
    ids = data.get("clusters") or []
    shown = visible(user)
    if shown is not None and not set(ids) <= shown:
        raise InvalidInput("clusters: a token can only name clusters you have a role on")
    days = data.get("expires_in_days") or settings.TOKEN_DAYS
    with transaction.atomic():
        token = ApiToken(
            user=user,
            created_by=user,
            name=name,
            kind=Kind.PERSONAL,
            read_only=data.get("scope") == "read-only",
            all_clusters=not ids,
            expires=timezone.now() + datetime.timedelta(days=days),
        )
        token.save()
        token.clusters.set(Cluster.objects.filter(pk__in=ids))
    return token


class ObtainToken(APIView):
    """POST /api/v1/auth/token/ {"username", "password"}: a personal token with the
    user's own scope (read-write, every cluster of theirs) and the default expiry."""

    authentication_classes: list[Any] = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [throttling.ScopedRateThrottle]
    throttle_scope = "login"

    @extend_schema(request=LoginSerializer, responses={200: IssuedSerializer})
    def post(self, request: Request) -> Response:
        """Check the password (failures count towards the lock-out), make the token."""
        form = LoginSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        user = authenticate(request._request, username=data["username"], password=data["password"])
        if user is None:
            raise serializers.ValidationError(
                {"non_field_errors": ["Unable to log in with provided credentials."]}
            )
        name = data.get("name") or f"token of {timezone.now():%Y-%m-%d %H:%M} (auth/token)"
        return Response(IssuedSerializer(issue(user, data, name)).data)


class TokenViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet[ApiToken],
):
    """One's own tokens (a superuser sees every token). POST makes one (from a browser
    session: a token cannot make tokens); DELETE revokes."""

    serializer_class = ApiTokenSerializer

    def get_queryset(self) -> QuerySet[ApiToken]:
        """The caller's tokens, newest first."""
        tokens = ApiToken.objects.select_related("user").prefetch_related("clusters")
        if not self.request.user.is_superuser:
            tokens = tokens.filter(user_id=self.request.user.pk or 0)
        return tokens.order_by("-created", "-id")

    @extend_schema(request=NewTokenSerializer, responses={201: IssuedSerializer})
    def create(self, request: Request) -> Response:
        """Make a personal token; its key is in this answer only."""
        if request.auth is not None:
            raise Forbidden("tokens are made from a logged-in session, not with a token")
        form = NewTokenSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        token = issue(request.user, form.validated_data, form.validated_data["name"])
        return Response(IssuedSerializer(token).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: ApiToken) -> None:
        """Revoke (the row stays, for the record)."""
        instance.revoke()
