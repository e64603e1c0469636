"""Settings defaults: read in a fresh interpreter with a clean environment."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from console.settings import env_bool, env_float, split_bind

REPO = Path(__file__).resolve().parents[2]
PROBE = """
import json
import re
from django.conf import settings
import django
django.setup()
db = settings.DATABASES["default"]
print(json.dumps({
    "engine": db["ENGINE"], "name": str(db["NAME"]), "redis": settings.REDIS_URL,
    "bind": [settings.BIND_HOST, settings.BIND_PORT], "secret": settings.SECRET_KEY,
    "fernet": settings.FERNET_KEY, "cert": str(settings.TLS_CERT),
    "broker": settings.CELERY_BROKER_URL, "secure": settings.SESSION_COOKIE_SECURE,
    "hosts": settings.ALLOWED_HOSTS, "debug": settings.DEBUG,
}))
"""


def read_settings(data_dir: Path, **extra: str) -> dict[str, object]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("HACONSOLE_") and k not in {"DATABASE_URL", "REDIS_URL"}
    }
    env.update({"HACONSOLE_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "console.settings"})
    env.update(extra)
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=REPO, env=env, capture_output=True, text=True, check=True
    )
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_defaults(tmp_path: Path) -> None:
    first = read_settings(tmp_path)
    assert first["engine"] == "django.db.backends.sqlite3"
    assert first["name"] == str(tmp_path / "haconsole.sqlite3")
    assert first["redis"] == "redis://127.0.0.1:6379/0"
    assert first["broker"] == first["redis"]
    assert first["bind"] == ["127.0.0.1", 2224]
    assert first["cert"] == str(tmp_path / "tls" / "cert.pem")
    assert first["secure"] is True
    assert first["debug"] is False
    assert "127.0.0.1" in first["hosts"]  # type: ignore[operator]
    secret_file = tmp_path / "secret_key"
    assert (secret_file.stat().st_mode & 0o777) == 0o600
    assert (tmp_path / "fernet.key").stat().st_mode & 0o777 == 0o600
    second = read_settings(tmp_path)
    assert second["secret"] == first["secret"]
    assert second["fernet"] == first["fernet"]
    assert len(str(first["secret"])) >= 50


def test_environment_wins(tmp_path: Path) -> None:
    got = read_settings(
        tmp_path,
        DATABASE_URL="postgres://u@127.0.0.1:5432/x",
        REDIS_URL="redis://127.0.0.1:6380/3",
        HACONSOLE_BIND="0.0.0.0:8443",
        HACONSOLE_SECRET_KEY="s" * 60,
    )
    assert got["engine"] == "django.db.backends.postgresql"
    assert got["redis"] == "redis://127.0.0.1:6380/3"
    assert got["bind"] == ["0.0.0.0", 8443]
    assert got["secret"] == "s" * 60
    assert not (tmp_path / "secret_key").exists()


@pytest.mark.parametrize(
    "bad", ["2224", "host:", "host:port", "", ":2224", "[]:2224", "h:0", "h:99999"]
)
def test_bad_bind_refused(bad: str) -> None:
    expected = rf"^HACONSOLE_BIND must be HOST:PORT \(port 1-65535\), got '{re.escape(bad)}'$"
    with pytest.raises(ValueError, match=expected):
        split_bind(bad)


def test_bind_forms() -> None:
    assert split_bind("[::1]:2224") == ("::1", 2224)
    assert split_bind("127.0.0.1:2224") == ("127.0.0.1", 2224)


def test_env_helpers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_FLAG", "yes")
    monkeypatch.setenv("X_NUM", "2.5")
    monkeypatch.setenv("X_BAD", "ten")
    assert env_bool("X_FLAG", False) is True
    assert env_bool("X_MISSING", True) is True
    assert env_float("X_NUM", 1.0) == 2.5
    with pytest.raises(ValueError, match="X_BAD must be a number"):
        env_float("X_BAD", 1.0)
