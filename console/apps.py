"""Django app config for the project package (management commands live here)."""

from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    """The project-wide app: start-up, TLS, the launcher command."""

    name = "console"
    verbose_name = "haconsole"

    def ready(self) -> None:
        """Log lock-outs (the receiver lives in console.lockout)."""
        from console import lockout  # noqa: F401, PLC0415 (connects its signal receiver)
