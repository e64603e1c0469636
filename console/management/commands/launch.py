"""`manage.py launch`: what `make run` runs."""

from typing import Any

from django.core.management.base import BaseCommand

from console.launcher import launch


class Command(BaseCommand):
    """Run the console (HTTPS server, worker, Redis if needed, the lab) in the foreground."""

    help = "Run the console in the foreground; SIGINT/SIGTERM stops everything it started."

    def handle(self, *args: Any, **options: Any) -> None:
        """Launch and exit with the launcher's status."""
        raise SystemExit(launch())
