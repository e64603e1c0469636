"""Throttling and lock-out on every login path (the login page, the admin's login, POST
/api/v1/auth/token/), per user name and per address (django-axes): after
HACONSOLE_LOGIN_FAILURES wrong passwords the right one is refused too, 429, until the
cool-off; the lock-out is logged and listed for admins. Below the limit, a right
password resets the count (positive control)."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client

pytestmark = pytest.mark.django_db

RIGHT = "victim-pass-123-long"
Attempt = Callable[[Client, str, str], int]


def page_login(client: Client, username: str, password: str, ip: str = "203.0.113.7") -> int:
    data = {"username": username, "password": password}
    return int(client.post("/login/", data, REMOTE_ADDR=ip).status_code)


def admin_login(client: Client, username: str, password: str) -> int:
    data = {"username": username, "password": password, "next": "/admin/"}
    return int(client.post("/admin/login/", data, REMOTE_ADDR="203.0.113.7").status_code)


def token_login(client: Client, username: str, password: str) -> int:
    data = {"username": username, "password": password}
    response = client.post(
        "/api/v1/auth/token/", data, content_type="application/json", REMOTE_ADDR="203.0.113.7"
    )
    return int(response.status_code)


PATHS = {"login page": page_login, "admin login": admin_login, "token endpoint": token_login}
# What a right password answers on each path when nothing is locked.
OK = {"login page": 302, "admin login": 302, "token endpoint": 200}


@pytest.fixture
def victim() -> User:
    return User.objects.create_superuser("victim", password=RIGHT)


@pytest.mark.parametrize("path", list(PATHS))
def test_wrong_passwords_lock_the_user_out(victim: User, path: str) -> None:
    attempt = PATHS[path]
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(Client(), "victim", "wrong") in (200, 400), "a plain refusal first"
    assert attempt(Client(), "victim", "wrong") == 429, "the last failure locks"
    assert attempt(Client(), "victim", RIGHT) == 429, "locked: even the right password"


@pytest.mark.parametrize("path", list(PATHS))
def test_below_the_limit_the_right_password_works(victim: User, path: str) -> None:
    attempt = PATHS[path]
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(Client(), "victim", "wrong")
    assert attempt(Client(), "victim", RIGHT) == OK[path]


def test_one_address_trying_many_users_is_locked_out(victim: User) -> None:
    for i in range(settings.AXES_FAILURE_LIMIT - 1):
        assert page_login(Client(), f"guess{i}", "wrong") == 200
    assert page_login(Client(), "guess-last", "wrong") == 429
    assert page_login(Client(), "victim", RIGHT) == 429, "the address is locked"
    assert page_login(Client(), "victim", RIGHT, "203.0.113.8") == 302, "not another one"


def test_the_lockout_is_logged_and_listed_for_admins(
    victim: User, admin_client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="haconsole.security")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        token_login(Client(), "victim", "wrong")
    assert "login locked out: user 'victim' from 203.0.113.7" in caplog.text
    assert AccessAttempt.objects.filter(username="victim").exists()
    listed = admin_client.get("/admin/axes/accessattempt/")
    assert listed.status_code == 200
    assert "victim" in listed.content.decode()
    locked = Client().post(
        "/api/v1/auth/token/",
        {"username": "victim", "password": RIGHT},
        content_type="application/json",
        REMOTE_ADDR="203.0.113.7",
    )
    assert locked.json()["code"] == "locked_out"
