"""Enumerations of the clusters app."""

from django.db import models


class EventKind(models.TextChoices):
    """What an event on a cluster's timeline records."""

    CLUSTER_ADDED = "cluster_added", "Cluster added"
    HOST_KEY_TRUSTED = "host_key_trusted", "Host key trusted"
    HOST_KEY_MISMATCH = "host_key_mismatch", "Host key changed (refused)"
    NODE_UNREACHABLE = "node_unreachable", "Node unreachable"
    STATUS_READ = "status_read", "Status read"


class Severity(models.TextChoices):
    """How much an event matters to the operator."""

    INFO = "info", "Info"
    WARNING = "warning", "Warning"
    CRITICAL = "critical", "Critical"
