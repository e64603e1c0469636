"""Django app config for clusters."""

from django.apps import AppConfig


class ClustersConfig(AppConfig):
    """The clusters app."""

    name = "clusters"
