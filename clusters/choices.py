"""Enumerations of the clusters app."""

from django.db import models


class EventKind(models.TextChoices):
    """What an event on a cluster's timeline records."""

    CLUSTER_ADDED = "cluster_added", "Cluster added"
    HOST_KEY_TRUSTED = "host_key_trusted", "Host key trusted"
    HOST_KEY_MISMATCH = "host_key_mismatch", "Host key changed (refused)"
    NODE_UNREACHABLE = "node_unreachable", "Node unreachable"
    STATUS_READ = "status_read", "Status read"
    NODE_JOINED = "node_joined", "Node joined"
    NODE_LOST = "node_lost", "Node lost"
    NODE_FENCED = "node_fenced", "Node fenced"
    FENCING_FAILED = "fencing_failed", "Fencing failed"
    NODE_UNCLEAN = "node_unclean", "Node unclean"
    NODE_STANDBY = "node_standby", "Node in standby"
    NODE_UNSTANDBY = "node_unstandby", "Node out of standby"
    NODE_MAINTENANCE = "node_maintenance", "Node maintenance on"
    NODE_UNMAINTENANCE = "node_unmaintenance", "Node maintenance off"
    RESOURCE_STARTED = "resource_started", "Resource started"
    RESOURCE_STOPPED = "resource_stopped", "Resource stopped"
    RESOURCE_MOVED = "resource_moved", "Resource moved"
    RESOURCE_FAILED = "resource_failed", "Resource failed"
    RESOURCE_PROMOTED = "resource_promoted", "Resource promoted"
    RESOURCE_DEMOTED = "resource_demoted", "Resource demoted"
    QUORUM_LOST = "quorum_lost", "Quorum lost"
    QUORUM_REGAINED = "quorum_regained", "Quorum regained"
    DC_CHANGED = "dc_changed", "DC changed"
    CONTACT_LOST = "contact_lost", "Monitor lost contact"
    CONTACT_REGAINED = "contact_regained", "Monitor regained contact"
    MONITOR_SWITCHED = "monitor_switched", "Monitor switched node"
    READ_FAILED = "read_failed", "Status unreadable"
    READ_RECOVERED = "read_recovered", "Status readable again"
    PARTITIONED = "partitioned", "Cluster split into partitions"
    PARTITIONS_HEALED = "partitions_healed", "Partitions healed"
    DOUBLE_RUN = "double_run", "VM running twice or outside Pacemaker"
    DOUBLE_RUN_ENDED = "double_run_ended", "Double run ended"
    RESYNC_STALLED = "resync_stalled", "DRBD resync making no progress"
    RESYNC_RESUMED = "resync_resumed", "DRBD resync progressing or ended"
    SPLIT_BRAIN = "split_brain", "DRBD split-brain (StandAlone)"
    SPLIT_BRAIN_ENDED = "split_brain_ended", "DRBD connected again"


class Severity(models.TextChoices):
    """How much an event matters to the operator."""

    INFO = "info", "Info"
    WARNING = "warning", "Warning"
    CRITICAL = "critical", "Critical"
