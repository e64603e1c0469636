"""Fixtures shared by every test directory."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.labutil import Lab, lab


@pytest.fixture
def api(admin_user: User) -> APIClient:
    """An API client authenticated with the admin's token, as a script would be."""
    token, _ = Token.objects.get_or_create(user=admin_user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def reader() -> APIClient:
    """An API client for a user who may read but not change anything."""
    user = User.objects.create_user("reader", password="reader-pass-123")
    token = Token.objects.create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture(scope="session")
def the_lab() -> Lab:
    """The lab, up (lab/lab up is idempotent and quick when it already is)."""
    lab("up", timeout=600)
    return Lab()
