"""API tokens: personal tokens (a name, an expiry, a scope: read-only or read-write, all
of the user's clusters or some), and kiosk tokens for status walls (read-only, some
clusters, no API). A token's key is shown once, when it is made; the console keeps only
a salted SHA-256 of it (a random 256-bit key needs no slow hash, and every API call
checks one), found by the key's first characters.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

PREFIX = 12  # characters of the key kept in clear to find its row
KEY_START = "hc_"
LAST_USED_EVERY = datetime.timedelta(seconds=60)  # last_used is written at most this often


class Kind(models.TextChoices):
    """What a token is for."""

    PERSONAL = "personal"
    KIOSK = "kiosk"


def new_key() -> str:
    """A fresh random key (hc_ + 43 URL-safe characters)."""
    return KEY_START + secrets.token_urlsafe(32)


def digest(salt: str, key: str) -> str:
    """The stored form of a key."""
    return hashlib.sha256(f"{salt}:{key}".encode()).hexdigest()


def default_expiry() -> datetime.datetime:
    """When a personal token made without an expiry ends (HACONSOLE_TOKEN_DAYS)."""
    return timezone.now() + datetime.timedelta(days=settings.TOKEN_DAYS)


class ApiToken(models.Model):
    """A token: its owner, name, kind, scope, expiry, last use; the key only hashed.

    `key` is set on the instance only when the token is made (shown once)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        help_text="whose rights the token carries (a kiosk token: who made it)",
    )
    name = models.CharField(max_length=100, help_text="what it is for, e.g. 'backup script'")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.PERSONAL)
    prefix = models.CharField(max_length=PREFIX, db_index=True, editable=False)
    salt = models.CharField(max_length=32, editable=False)
    digest = models.CharField(max_length=64, editable=False)
    read_only = models.BooleanField(default=False, help_text="viewer at most, whatever the role")
    all_clusters = models.BooleanField(
        default=True, help_text="every cluster the user has a role on (else only `clusters`)"
    )
    clusters = models.ManyToManyField("clusters.Cluster", blank=True, related_name="tokens")
    expires = models.DateTimeField(null=True, blank=True, help_text="empty: never")
    created = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_used = models.DateTimeField(null=True, blank=True, editable=False)
    revoked = models.DateTimeField(null=True, blank=True, help_text="set to revoke the token")

    key: str = ""

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.kind}, {self.prefix}…)"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """A new token gets its key (kept on the instance, shown once) and digest."""
        if not self.digest:
            self.set_key(new_key())
        super().save(*args, **kwargs)

    def set_key(self, key: str) -> None:
        """Store key as this token's (hashed; `key` keeps it until the instance goes)."""
        self.key = key
        self.prefix = key[:PREFIX]
        self.salt = secrets.token_hex(16)
        self.digest = digest(self.salt, key)

    def matches(self, key: str) -> bool:
        """Whether key is this token's key (constant time)."""
        return hmac.compare_digest(self.digest, digest(self.salt, key))

    @property
    def active(self) -> bool:
        """Neither revoked nor expired."""
        return self.revoked is None and (self.expires is None or self.expires > timezone.now())

    def allows_cluster(self, cluster_id: int) -> bool:
        """Whether the token's scope includes the cluster."""
        limit = self.cluster_ids()
        return limit is None or cluster_id in limit

    def cluster_ids(self) -> frozenset[int] | None:
        """The clusters the token is limited to (None: not limited)."""
        if self.all_clusters:
            return None
        cached = getattr(self, "_cluster_ids", None)
        if cached is None:
            cached = frozenset(self.clusters.values_list("pk", flat=True))
            self._cluster_ids = cached
        return cached

    def touch(self) -> None:
        """Record a use (at most once a minute)."""
        now = timezone.now()
        if self.last_used is None or now - self.last_used > LAST_USED_EVERY:
            ApiToken.objects.filter(pk=self.pk).update(last_used=now)
            self.last_used = now

    def revoke(self) -> None:
        """Revoke the token now (its WebSockets are closed by clusters/signals.py)."""
        if self.revoked is None:
            self.revoked = timezone.now()
            self.save(update_fields=["revoked"])

    @classmethod
    def find(cls, key: str, kinds: Iterable[str] = (Kind.PERSONAL,)) -> ApiToken | None:
        """The active token of one of these kinds with this key, or None."""
        if not key or len(key) > 200:
            return None
        for token in cls.objects.filter(prefix=key[:PREFIX], kind__in=list(kinds)):
            if token.matches(key) and token.active:
                return token
        return None


class KioskManager(models.Manager["KioskToken"]):
    """Kiosk tokens only."""

    def get_queryset(self) -> models.QuerySet[KioskToken]:
        """Tokens of kind kiosk."""
        return super().get_queryset().filter(kind=Kind.KIOSK)


class KioskToken(ApiToken):
    """A read-only token for a status wall: sees only the clusters it names, can do
    nothing, and opens no API (an ApiToken of kind kiosk)."""

    objects = KioskManager()  # type: ignore[misc]  # a proxy narrows its base's manager

    class Meta:
        proxy = True
        ordering = ["name"]

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Always a read-only kiosk token limited to its clusters."""
        self.kind, self.read_only, self.all_clusters = Kind.KIOSK, True, False
        super().save(*args, **kwargs)

    @classmethod
    def active_key(cls, key: str) -> ApiToken | None:
        """The unrevoked, unexpired kiosk token with this key, or None."""
        return ApiToken.find(key, kinds=(Kind.KIOSK,))
