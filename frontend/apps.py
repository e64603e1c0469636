"""Django app config for frontend."""

from django.apps import AppConfig


class FrontendConfig(AppConfig):
    """The frontend app."""

    name = "frontend"
