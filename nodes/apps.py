"""Django app config for nodes."""

from django.apps import AppConfig


class NodesConfig(AppConfig):
    """Nodes, SSH credentials, host keys and the runner."""

    name = "nodes"
