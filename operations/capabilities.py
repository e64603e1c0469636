"""What a cluster's pcs must be able to do for each kind of change: pcs's own capability
ids (`pcs --version --full`), read from the cluster when it is added and when its
Pacemaker version changes. A change the cluster's tools cannot make is refused before
any plan (422 unsupported_by_cluster), and its button is shown disabled with the reason.
"""

from __future__ import annotations

from hacore.errors import ConsoleError
from operations.change import Change

# Change kind -> the pcs capabilities it needs (all of them).
NEEDS: dict[str, tuple[str, ...]] = {
    "node.standby": ("node.standby",),
    "node.unstandby": ("node.standby",),
    "node.maintenance": ("node.maintenance",),
    "node.unmaintenance": ("node.maintenance",),
    "node.start": ("node.start-stop-enable-disable",),
    "node.stop": ("node.start-stop-enable-disable",),
    "node.enable": ("node.start-stop-enable-disable",),
    "node.disable": ("node.start-stop-enable-disable",),
    "cluster.start-all": ("node.start-stop-enable-disable.all",),
    "cluster.stop-all": ("node.start-stop-enable-disable.all",),
    "node.fence": ("node.fence",),
    "node.confirm-fenced": ("node.confirm-off",),
    "cluster.node-add": ("node.add", "node.add.start", "node.add.enable"),
    "cluster.node-remove": ("node.remove",),
    "resource.create": ("pcmk.resource.create", "pcmk.resource.create.meta"),
    "resource.delete": ("pcmk.resource.delete",),
    "resource.update": ("pcmk.resource.update", "pcmk.resource.update.meta"),
    "resource.enable": ("pcmk.resource.enable-disable",),
    "resource.disable": ("pcmk.resource.enable-disable",),
    "resource.manage": ("pcmk.resource.manage-unmanage",),
    "resource.unmanage": ("pcmk.resource.manage-unmanage",),
    "resource.cleanup": ("pcmk.resource.cleanup",),
    "resource.refresh": ("pcmk.resource.refresh",),
    "resource.restart": ("pcmk.resource.restart",),
    "resource.debug-start": ("pcmk.resource.debug",),
    "resource.move": ("pcmk.resource.ban-move-clear", "pcmk.resource.move.autoclean"),
    "vm.migrate": ("pcmk.resource.ban-move-clear", "pcmk.resource.move.autoclean"),
    "vm.start": ("pcmk.resource.enable-disable",),
    "setup.book-stack": ("pcmk.resource.create", "pcmk.resource.promotable"),
    "drbd.resolve-split-brain": ("pcmk.resource.manage-unmanage", "pcmk.resource.refresh"),
    "vm.stop": ("pcmk.resource.enable-disable",),
    "resource.promote": ("pcmk.resource.ban-move-clear", "pcmk.cib.roles.promoted-unpromoted"),
    "resource.demote": ("pcmk.resource.ban-move-clear", "pcmk.cib.roles.promoted-unpromoted"),
    "resource.ban": ("pcmk.resource.ban-move-clear",),
    "resource.clear": ("pcmk.resource.ban-move-clear",),
    "resource.clone": ("pcmk.resource.clone",),
    "resource.promotable": ("pcmk.resource.promotable",),
    "resource.unclone": ("pcmk.resource.clone",),
    "group.add": ("pcmk.resource.group",),
    "group.remove": ("pcmk.resource.group", "pcmk.resource.group.add-remove-list"),
    "constraint.location": ("pcmk.constraint.location.simple",),
    "constraint.order": ("pcmk.constraint.order.simple",),
    "constraint.colocation": ("pcmk.constraint.colocation.simple",),
    "fence.create": ("pcmk.stonith.create",),
    "fence.update": ("pcmk.stonith.update",),
    "fence.delete": ("pcmk.stonith.delete",),
    "fence.enable": ("pcmk.stonith.enable-disable",),
    "fence.disable": ("pcmk.stonith.enable-disable",),
    "fence.level-add": ("pcmk.stonith.levels",),
    "fence.level-delete": ("pcmk.stonith.levels",),
    "cluster.property": ("pcmk.properties.cluster",),
    "defaults.resource": ("pcmk.properties.resource-defaults",),
    "defaults.op": ("pcmk.properties.operation-defaults",),
    "cluster.sync": ("corosync.config.sync-to-local-cluster",),
    "cluster.reload-corosync": ("corosync.config.reload",),
    "cluster.restore": ("cluster.config.restore-local",),
}
# A resource set in a constraint needs the set form too.
SETS = {
    "constraint.order": "pcmk.constraint.order.set",
    "constraint.colocation": "pcmk.constraint.colocation.set",
}


class UnsupportedByCluster(ConsoleError):
    """The cluster's pcs cannot make this change."""

    code = "unsupported_by_cluster"
    http_status = 422

    def __init__(self, change: Change, missing: list[str], pcs_version: str) -> None:
        super().__init__(
            f"this cluster's pcs {pcs_version or '(version unknown)'} cannot {change.summary}: "
            f"it lacks {', '.join(missing)}"
        )
        self.missing = missing

    def extra(self) -> dict[str, object]:
        """The capabilities the cluster lacks."""
        return {"missing": self.missing}


def needs(change: Change) -> tuple[str, ...]:
    """The pcs capabilities a change needs."""
    wanted = NEEDS.get(change.kind, ())
    if change.kind in SETS and any("set" in argv for argv in change.stage):
        wanted = (*wanted, SETS[change.kind])
    return wanted


def missing(change: Change, capabilities: frozenset[str] | None) -> list[str]:
    """What the cluster lacks for change (nothing when its capabilities are unknown)."""
    if capabilities is None:
        return []
    return [c for c in needs(change) if c not in capabilities]


def unsupported(kinds: list[str], capabilities: frozenset[str] | None) -> dict[str, list[str]]:
    """kind -> what the cluster lacks for it, for the kinds it cannot do (for the pages)."""
    if capabilities is None:
        return {}
    out = {k: [c for c in NEEDS.get(k, ()) if c not in capabilities] for k in kinds}
    return {k: v for k, v in out.items() if v}
