"""Django app config for the project package (management commands live here)."""

from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    """The project-wide app: start-up, TLS, the launcher command."""

    name = "console"
    verbose_name = "haconsole"
