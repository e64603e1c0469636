"""First-start chores: the first admin user and the embedded lab cluster."""

from __future__ import annotations

import secrets
import subprocess
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model

from clusters.models import Cluster
from clusters.services import AddClusterRequest, add_cluster
from nodes.hostkeys import trusted_fingerprints

LAB = settings.BASE_DIR / "lab" / "lab"
LAB_CLUSTER_NAME = "haconsole-lab"


def ensure_admin(username: str | None, password: str | None) -> str | None:
    """Create the first admin; return a generated password to print once, else None.

    With HACONSOLE_ADMIN_USER/HACONSOLE_ADMIN_PASSWORD set, that user exists with that
    password after every start. Without them, a random password is made only when the
    database has no user at all.
    """
    users = get_user_model().objects
    if username and password:
        user, _ = users.get_or_create(username=username)
        user.is_staff = user.is_superuser = user.is_active = True
        user.set_password(password)
        user.save()
        return None
    if users.exists():
        return None
    generated = secrets.token_urlsafe(12)
    users.create_superuser(username or "admin", password=generated)
    return generated


def lab_output(*args: str) -> str:
    """Run lab/lab with args and return its standard output."""
    done = subprocess.run([str(LAB), *args], capture_output=True, text=True, check=True, timeout=60)
    return done.stdout


def ensure_lab_cluster() -> Cluster:
    """Add the lab cluster unless it is there; host keys pinned from the lab's own key files."""
    existing = Cluster.objects.filter(name=LAB_CLUSTER_NAME).first()
    if existing is not None:
        return existing
    first = lab_output("nodes").split()[1]
    key = Path(lab_output("ssh-key").strip()).read_text()
    trusted = trusted_fingerprints(None, lab_output("known-hosts"))
    return add_cluster(AddClusterRequest(first, 22, "root", key, trusted))
