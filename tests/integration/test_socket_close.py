"""Sockets that close: logout, a revoked token, a deactivated user and a role change
close the affected WebSockets within 5 s (a message on the channel layer, no polling);
the Origin must be the console's own scheme, host and port."""

from __future__ import annotations

import time
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.test import Client

from clusters.models import Cluster, ClusterRole, KioskToken
from console.asgi import application
from tests.sockets import refusal

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = settings.CSRF_TRUSTED_ORIGINS[0].encode()
HOST = ORIGIN.split(b"//")[1]


def viewer_session() -> tuple[User, Client, str]:
    """A viewer logged in through the login page (a real session cookie)."""
    user = User.objects.create_user("vera", password="vera-pass-123-long")
    user.groups.add(Group.objects.get(name="viewers"))
    browser = Client()
    browser.force_login(user)
    return user, browser, browser.cookies[settings.SESSION_COOKIE_NAME].value


def socket(path: str, cookie: str = "", origin: bytes = ORIGIN) -> WebsocketCommunicator:
    headers = [(b"origin", origin), (b"host", HOST)]
    if cookie:
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    return WebsocketCommunicator(application, path, headers=headers)


async def opened(comm: WebsocketCommunicator) -> None:
    connected, _ = await comm.connect()
    assert connected
    assert (await comm.receive_json_from(timeout=5))["type"] in ("cluster.status", "cluster.tile")


async def closes_within_5s(comm: WebsocketCommunicator) -> None:
    started = time.monotonic()
    output = await comm.receive_output(timeout=5)
    assert output == {"type": "websocket.close", "code": 4401}
    assert time.monotonic() - started < 5


async def stays_open(comm: WebsocketCommunicator) -> None:
    assert await comm.receive_nothing(timeout=0.5)
    await comm.disconnect()


async def test_logout_closes_the_sessions_sockets(cluster: Cluster) -> None:
    _, browser, cookie = await sync_to_async(viewer_session)()
    page = socket(f"/ws/clusters/{cluster.pk}/", cookie)
    overview = socket("/ws/clusters/", cookie)
    await opened(page)
    await opened(overview)
    assert (await sync_to_async(browser.post)("/logout/")).status_code == 302
    await closes_within_5s(page)
    await closes_within_5s(overview)
    again = socket(f"/ws/clusters/{cluster.pk}/", cookie)
    assert await refusal(again) == 4401, "the old cookie opens nothing"


async def test_a_deactivated_users_sockets_close(cluster: Cluster) -> None:
    user, _, cookie = await sync_to_async(viewer_session)()
    comm = socket(f"/ws/clusters/{cluster.pk}/", cookie)
    await opened(comm)
    user.is_active = False
    await sync_to_async(user.save)()
    await closes_within_5s(comm)


async def test_a_role_change_closes_the_users_sockets(cluster: Cluster) -> None:
    user, _, cookie = await sync_to_async(viewer_session)()
    _, _, other_cookie = await sync_to_async(_another)()
    mine, theirs = socket("/ws/clusters/", cookie), socket("/ws/clusters/", other_cookie)
    await opened(mine)
    await opened(theirs)
    await sync_to_async(ClusterRole.objects.create)(cluster=cluster, user=user, role="admin")
    await closes_within_5s(mine)
    await stays_open(theirs)


def _another() -> tuple[User, Client, str]:
    user = User.objects.create_user("otto", password="otto-pass-123-long")
    user.groups.add(Group.objects.get(name="viewers"))
    browser = Client()
    browser.force_login(user)
    return user, browser, browser.cookies[settings.SESSION_COOKIE_NAME].value


def _kiosk(cluster: Cluster) -> KioskToken:
    token = KioskToken(name="NOC")
    token.save()
    token.clusters.set([cluster])
    return token


async def test_a_revoked_kiosk_token_closes_its_wall(cluster: Cluster) -> None:
    token = await sync_to_async(_kiosk)(cluster)
    other = await sync_to_async(_kiosk)(cluster)
    wall, kept = socket(f"/ws/wall/?token={token.key}"), socket(f"/ws/wall/?token={other.key}")
    await opened(wall)
    await opened(kept)
    await sync_to_async(token.revoke)()
    await closes_within_5s(wall)
    await stays_open(kept)
    again = socket(f"/ws/wall/?token={token.key}")
    assert await refusal(again) == 4403


@pytest.mark.parametrize(
    ("origin", "accepted"),
    [
        (ORIGIN, True),
        (ORIGIN.replace(b"https:", b"http:"), False),
        (b"http://127.0.0.1:8080", False),
        (b"https://127.0.0.1:8080", False),
        (b"https://evil.example", False),
    ],
)
async def test_the_origin_must_be_the_consoles_own(
    cluster: Cluster, admin_user: Any, origin: bytes, accepted: bool
) -> None:
    comm = WebsocketCommunicator(
        application, f"/ws/clusters/{cluster.pk}/", headers=[(b"origin", origin), (b"host", HOST)]
    )
    comm.scope["user"] = admin_user
    connected, _ = await comm.connect()
    assert connected is accepted
    await comm.disconnect()


async def test_leaving_a_group_closes_the_users_sockets(cluster: Cluster) -> None:
    user, _, cookie = await sync_to_async(viewer_session)()
    comm = socket("/ws/clusters/", cookie)
    await opened(comm)
    viewers = await sync_to_async(Group.objects.get)(name="viewers")
    await sync_to_async(viewers.user_set.remove)(user)
    await closes_within_5s(comm)
