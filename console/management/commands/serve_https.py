"""`manage.py serve_https`: the web process alone (Daphne, HTTPS only), for real deployments."""

import os
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from console import bootstrap, tls
from console.launcher import daphne_argv


class Command(BaseCommand):
    """Make the certificate and first admin if needed, then become the Daphne server."""

    help = "Serve the console over HTTPS on HACONSOLE_BIND (no worker, no lab, no Redis start)."

    def handle(self, *args: Any, **options: Any) -> None:
        """Prepare, then exec Daphne in place of this process."""
        tls.ensure_certificate(settings.TLS_CERT, settings.TLS_KEY, settings.ALLOWED_HOSTS)
        generated = bootstrap.ensure_admin(
            os.environ.get("HACONSOLE_ADMIN_USER"), os.environ.get("HACONSOLE_ADMIN_PASSWORD")
        )
        if generated:
            self.stdout.write(f"created user 'admin' with password: {generated}")
        self.stdout.flush()
        argv = daphne_argv()
        os.execv(argv[0], argv)  # noqa: S606 - argv is fixed: our interpreter running daphne
