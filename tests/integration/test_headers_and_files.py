"""Files and headers: the data directory 0700 and everything in it 0600 (SQLite
included); HSTS; a Content-Security-Policy without inline script or style, and pages
(the API docs included) that need none; an idle session timeout besides the absolute one."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from clusters.models import Cluster
from console.datadir import make_private, private_file
from console.middleware import SEEN
from tests.labutil import REPO

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>")
STYLE_ATTR = re.compile(rb"<[^>]+\sstyle=", re.IGNORECASE)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def test_make_private_tightens_what_is_there(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "tls").mkdir(parents=True, mode=0o755)
    (data / "secret_key").write_text("x")
    (data / "tls" / "key.pem").write_text("x")
    os.chmod(data / "secret_key", 0o644)
    os.chmod(data, 0o755)  # noqa: S103 (the loose mode make_private must fix)
    make_private(data)
    assert {p.name: mode(p) for p in [data, *data.rglob("*")]} == {
        "data": 0o700,
        "tls": 0o700,
        "secret_key": 0o600,
        "key.pem": 0o600,
    }
    private_file(data / "db.sqlite3")
    assert mode(data / "db.sqlite3") == 0o600


def test_a_new_sqlite_console_keeps_its_files_private(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["HACONSOLE_DATA_DIR"] = str(tmp_path / "var")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=REPO,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    data = tmp_path / "var"
    found = {str(p.relative_to(data)): mode(p) for p in [data, *data.rglob("*")]}
    assert "haconsole.sqlite3" in found
    assert {k: m for k, m in found.items() if m not in (0o600, 0o700)} == {}
    assert mode(data) == 0o700


def test_this_consoles_data_dir_is_private() -> None:
    assert mode(Path(settings.DATA_DIR)) == 0o700
    loose = [p for p in Path(settings.DATA_DIR).rglob("*") if mode(p) & 0o077]
    assert loose == []


def test_security_headers(admin_client: Client) -> None:
    response = admin_client.get("/", secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "style-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp


def test_pages_need_no_inline_script_or_style(admin_client: Client, cluster: Cluster) -> None:
    pages = [
        "/",
        "/wall/",
        "/audit/",
        "/clusters/add/",
        f"/clusters/{cluster.pk}/",
        f"/clusters/{cluster.pk}/nodes/node1/",
        f"/clusters/{cluster.pk}/create-resource/",
        "/api/docs/",
        "/login/",
    ]
    for page in pages:
        response = admin_client.get(page, secure=True)
        assert response.status_code == 200, page
        assert INLINE_SCRIPT.findall(response.content) == [], page
        assert STYLE_ATTR.findall(response.content) == [], page
    assert b"<script" in admin_client.get("/api/docs/").content, "positive control"


def test_an_idle_session_ends(admin_client: Client) -> None:
    assert admin_client.get("/").status_code == 200, "in use"
    session = admin_client.session
    session[SEEN] = time.time() - settings.SESSION_IDLE_TIMEOUT + 60
    session.save()
    assert admin_client.get("/").status_code == 200, "idle, but not for long enough"
    session = admin_client.session
    session[SEEN] = time.time() - settings.SESSION_IDLE_TIMEOUT - 1
    session.save()
    response = admin_client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert admin_client.get("/api/v1/whoami/").status_code == 401, "logged out for the API too"


def test_session_lifetimes() -> None:
    assert settings.SESSION_IDLE_TIMEOUT == 30 * 60
    assert settings.SESSION_COOKIE_AGE == 12 * 3600
