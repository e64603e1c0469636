"""`manage.py monitor`: watch every cluster and push its changes."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from clusters.monitor import WatchSettings
from clusters.monitor_process import run_monitor


class Command(BaseCommand):
    """Run the monitor in the foreground (several may run: leases share the clusters)."""

    help = "Watch every cluster (one SSH stream each) and publish changes to the browsers."

    def add_arguments(self, parser: CommandParser) -> None:
        """Timings."""
        parser.add_argument(
            "--probe-interval",
            type=float,
            default=30.0,
            help="seconds between CIB version probes (safety net)",
        )
        parser.add_argument(
            "--debounce",
            type=float,
            default=0.1,
            help="seconds to wait for the rest of a burst of changes",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        """Run until SIGINT/SIGTERM."""
        run_monitor(
            WatchSettings(debounce=options["debounce"], probe_interval=options["probe_interval"])
        )
