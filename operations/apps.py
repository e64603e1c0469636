"""Django app config for operations."""

from django.apps import AppConfig


class OperationsConfig(AppConfig):
    """The operations app: the engine under every change."""

    name = "operations"
