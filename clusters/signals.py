"""Sockets that close: when a user's rights end or change, their open WebSockets are told
to close (operations.feed CLOSE on the user's, the session's or the token's group) once
the change is committed; the browser reconnects and is checked again, or is refused.

- logout: the session's sockets (every tab of that browser);
- a user deactivated or deleted, their groups, permissions, superuser flag or a
  ClusterRole of theirs (or of one of their groups) changed: the user's sockets;
- a token revoked, expired by an edit or deleted: the sockets opened with it.

Only a message on the channel layer is sent here: no remote call, no other side effect.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import Group, User
from django.contrib.auth.signals import user_logged_out
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.http import HttpRequest

from clusters.models import ApiToken, ClusterRole, KioskToken
from operations.feed import CLOSE, send, session_group, token_group, user_group


def close_later(groups: Iterable[str]) -> None:
    """Tell the sockets of these groups to close, once the transaction commits."""
    messages = [(g, CLOSE) for g in groups]
    if messages:
        transaction.on_commit(lambda: send(messages))


def close_users(user_ids: Iterable[int]) -> None:
    """Close every socket of these users."""
    close_later(user_group(pk) for pk in set(user_ids))


@receiver(user_logged_out)
def _logged_out(sender: Any, request: HttpRequest | None, user: Any, **_: Any) -> None:
    session = getattr(request, "session", None)
    key = getattr(session, "session_key", None)
    if key:
        close_later([session_group(key)])


@receiver(post_save, sender=User)
def _user_saved(
    sender: Any, instance: User, created: bool, update_fields: Any = None, **_: Any
) -> None:
    # A save may change is_active, is_superuser or the password; closing costs one
    # reconnect. Logging in (last_login alone) changes no right.
    if not created and set(update_fields or ()) != {"last_login"}:
        close_users([instance.pk])


@receiver(post_delete, sender=User)
def _user_deleted(sender: Any, instance: User, **_: Any) -> None:
    close_users([instance.pk])


@receiver(m2m_changed, sender=User.groups.through)
@receiver(m2m_changed, sender=User.user_permissions.through)
def _user_rights(
    sender: Any, instance: Any, action: str, pk_set: set[int] | None, **_: Any
) -> None:
    if not action.startswith("post_"):
        return
    if isinstance(instance, User):
        close_users([instance.pk])
    elif isinstance(instance, Group):  # users added to or removed from a group
        close_users([*instance.user_set.values_list("pk", flat=True), *(pk_set or ())])
    else:  # a permission given to or taken from users
        close_users(pk_set or ())


@receiver(m2m_changed, sender=Group.permissions.through)
def _group_rights(sender: Any, instance: Any, action: str, **_: Any) -> None:
    if action.startswith("post_") and isinstance(instance, Group):
        close_users(instance.user_set.values_list("pk", flat=True))


@receiver(post_save, sender=ClusterRole)
@receiver(post_delete, sender=ClusterRole)
def _role_changed(sender: Any, instance: ClusterRole, **_: Any) -> None:
    if instance.user_id is not None:
        close_users([instance.user_id])
    elif instance.group_id is not None:
        close_users(User.objects.filter(groups=instance.group_id).values_list("pk", flat=True))


@receiver(post_save, sender=ApiToken)
@receiver(post_save, sender=KioskToken)
def _token_saved(sender: Any, instance: ApiToken, created: bool, **_: Any) -> None:
    if not created and not instance.active:
        close_later([token_group(instance.pk)])


@receiver(post_delete, sender=ApiToken)
@receiver(post_delete, sender=KioskToken)
def _token_deleted(sender: Any, instance: ApiToken, **_: Any) -> None:
    close_later([token_group(instance.pk)])


@receiver(m2m_changed, sender=ApiToken.clusters.through)
def _token_scope(sender: Any, instance: Any, action: str, **_: Any) -> None:
    if action.startswith("post_") and isinstance(instance, ApiToken) and instance.pk:
        close_later([token_group(instance.pk)])
