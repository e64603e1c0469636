"""Django app config for fencing."""

from django.apps import AppConfig


class FencingConfig(AppConfig):
    """The fencing app."""

    name = "fencing"
