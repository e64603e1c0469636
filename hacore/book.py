"""The book's stack (chapter 11: KVM guests on dual-primary DRBD under DLM, cLVM and a
cluster filesystem, libvirtd as a clone, one VirtualDomain) as one set of `pcs -f`
commands, with the book's ids, orders and colocations, plus the colocation the book
forgot (the VM with the libvirtd clone: without it Pacemaker may place the VM where
libvirtd is not).

`BookStack.from_body` checks every input; `rules` checks the cluster against what the
book states (fencing on; promoted-max=2 only with a DRBD resource that allows two
primaries; the clones' nodes DRBD hosts of the resource; the VM's definition on the
shared filesystem); `commands` are the pcs tails, applied to one CIB copy and pushed at
once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from hacore.commands import Argv
from hacore.drbdconf import DrbdConfig
from hacore.errors import InvalidInput
from hacore.pacemaker.cib import Cib
from hacore.pacemaker.ids import check_agent, check_id, check_pairs

LAYERS = ("drbd", "dlm", "clvm", "filesystem", "libvirtd")
DEFAULT_IDS = {
    "drbd": "drbd_{res}",
    "dlm": "dlm",
    "clvm": "clvmd",
    "filesystem": "sharedFS",
    "libvirtd": "res_libvirtd",
}
DEFAULT_AGENTS = {
    "dlm": "ocf:pacemaker:controld",
    "clvm": "ocf:heartbeat:clvm",
    "filesystem": "ocf:heartbeat:Filesystem",
    "libvirtd": "systemd:libvirtd",
}
_PATH = re.compile(r"/(?!.*(?:^|/)\.\.(?:/|$))[A-Za-z0-9._+/-]{0,250}")
_FSTYPE = re.compile(r"[a-z0-9]{2,16}")
_RES = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.+-]{0,62}")


def _path(value: object, what: str) -> str:
    if not isinstance(value, str) or not _PATH.fullmatch(value) or "//" in value:
        raise InvalidInput(f"{what} must be an absolute path (letters, digits, . _ + - /)")
    return value.rstrip("/") or "/"


def _choice(body: dict[str, Any], key: str) -> dict[str, Any]:
    value = body.get(key) or {}
    if not isinstance(value, dict) or set(value) - set(LAYERS):
        raise InvalidInput(f"{key} must be an object with keys among {', '.join(LAYERS)}")
    return value


@dataclass(frozen=True)
class BookStack:
    """What the form asks for, checked."""

    drbd_resource: str
    nodes: tuple[str, ...]
    mount_point: str
    device: str
    fstype: str
    vm: str
    vm_config: str
    vm_params: dict[str, str]
    ids: dict[str, str]
    agents: dict[str, str]

    @classmethod
    def from_body(cls, body: dict[str, Any]) -> BookStack:
        """Every field checked; InvalidInput names the first one wrong."""
        res = body.get("drbd_resource")
        if not isinstance(res, str) or not _RES.fullmatch(res):
            raise InvalidInput("drbd_resource must be a DRBD resource name such as datos")
        nodes = body.get("nodes")
        if not isinstance(nodes, list) or len(nodes) != 2 or len(set(nodes)) != 2:
            raise InvalidInput("nodes must name the two nodes of the dual-primary stack")
        fstype = body.get("fstype", "gfs2")
        if not isinstance(fstype, str) or not _FSTYPE.fullmatch(fstype):
            raise InvalidInput("fstype must be a filesystem type such as gfs2 or ocfs2")
        ids = {k: DEFAULT_IDS[k].format(res=res) for k in LAYERS}
        ids.update({k: check_id(v, f"ids.{k}") for k, v in _choice(body, "ids").items()})
        agents = dict(DEFAULT_AGENTS)
        agents.update({k: check_agent(v) for k, v in _choice(body, "agents").items()})
        given = body.get("vm")
        vm: dict[str, Any] = given if isinstance(given, dict) else {}
        stack = cls(
            drbd_resource=res,
            nodes=tuple(check_id(n, "node") for n in nodes),
            mount_point=_path(body.get("mount_point"), "mount_point"),
            device=_path(body.get("device") or f"/dev/vg_{res}/lv_{res}", "device"),
            fstype=fstype,
            vm=check_id(vm.get("id"), "vm.id"),
            vm_config=_path(vm.get("config"), "vm.config"),
            vm_params=check_pairs(vm.get("params"), "vm.params"),
            ids=ids,
            agents=agents,
        )
        if len(set(ids.values()) | {stack.vm}) != len(LAYERS) + 1:
            raise InvalidInput("the resources' ids must differ from each other and the VM's")
        return stack

    def _vm_params(self) -> list[str]:
        """The VirtualDomain's parameters: the book's, and the form's (which win)."""
        given = {
            "config": self.vm_config,
            "hypervisor": "qemu:///system",
            "migration_transport": "ssh",
            **{k: v for k, v in self.vm_params.items() if k != "config"},
        }
        return [f"{k}={v}" for k, v in given.items()]

    def clone(self, layer: str) -> str:
        """The clone id pcs gives a layer's resource (ID-clone)."""
        return f"{self.ids[layer]}-clone"

    def commands(self, cluster_nodes: list[str]) -> list[Argv]:
        """The pcs tails that build the stack on a CIB copy (`pcs -f FILE ...`)."""
        n = str(len(self.nodes))
        clone = ("clone", "interleave=true", "ordered=true", f"clone-max={n}", "clone-node-max=1")
        i, a = self.ids, self.agents
        resources: list[Argv] = [
            (i["drbd"], "ocf:linbit:drbd", f"drbd_resource={self.drbd_resource}",
             "op", "monitor", "interval=29s", "role=Promoted",
             "op", "monitor", "interval=31s", "role=Unpromoted",
             "promotable", "promoted-max=2", "promoted-node-max=1",
             f"clone-max={n}", "clone-node-max=1", "notify=true"),
            (i["dlm"], a["dlm"], "op", "monitor", "interval=60s", *clone),
            (i["clvm"], a["clvm"], "op", "monitor", "interval=60s", *clone),
            (i["filesystem"], a["filesystem"], f"device={self.device}",
             f"directory={self.mount_point}", f"fstype={self.fstype}",
             "op", "monitor", "interval=20s", *clone),
            (i["libvirtd"], a["libvirtd"], "op", "monitor", "interval=30s", *clone),
            (self.vm, "ocf:heartbeat:VirtualDomain", *self._vm_params(),
             "meta", "allow-migrate=true",
             "op", "monitor", "interval=10s", "timeout=30s",
             "op", "start", "timeout=90s", "op", "stop", "timeout=90s",
             "op", "migrate_to", "timeout=120s", "op", "migrate_from", "timeout=120s"),
        ]  # fmt: skip
        c = self.clone
        orders: list[Argv] = [
            ("promote", c("drbd"), "then", "start", c("dlm")),
            ("start", c("dlm"), "then", "start", c("clvm")),
            ("start", c("clvm"), "then", "start", c("filesystem")),
            ("start", c("filesystem"), "then", "start", c("libvirtd")),
            ("start", c("libvirtd"), "then", "start", self.vm),
        ]
        colocations: list[Argv] = [
            (c("dlm"), "with", "Promoted", c("drbd"), "INFINITY"),
            (c("clvm"), "with", c("dlm"), "INFINITY"),
            (c("filesystem"), "with", c("clvm"), "INFINITY"),
            (c("libvirtd"), "with", c("filesystem"), "INFINITY"),
            (self.vm, "with", c("libvirtd"), "INFINITY"),  # the one the book forgot
        ]
        others = [node for node in cluster_nodes if node not in self.nodes]
        return [
            *(("resource", "create", *r) for r in resources),
            *(("constraint", "order", *o) for o in orders),
            *(("constraint", "colocation", "add", *co) for co in colocations),
            *(("constraint", "location", c("drbd"), "avoids", node) for node in others),
        ]

    def rules(self, cib: Cib, drbd: list[DrbdConfig]) -> list[str]:
        """What the book states and this cluster does not meet, in words (empty: none)."""
        problems = []
        fences = [
            r for top in cib.resources for r in top.walk() if (r.agent or "").startswith("stonith:")
        ]
        if not cib.stonith_enabled or not fences:
            problems.append(
                "fencing must be on, with a fence device, before dual-primary DRBD runs "
                "(stonith-enabled is false or no fence device is configured)"
            )
        members = {n.uname for n in cib.nodes}
        problems += [f"{n} is not a node of this cluster" for n in self.nodes if n not in members]
        config = next((d for d in drbd if d.name == self.drbd_resource), None)
        if config is None:
            problems.append(f"DRBD has no resource {self.drbd_resource} configured")
        else:
            if not config.allow_two_primaries:
                problems.append(
                    f"promoted-max=2 (dual-primary) needs allow-two-primaries yes in DRBD's "
                    f"{self.drbd_resource} (net section); it is not set"
                )
            problems += [
                f"{n} is not a host of DRBD's {self.drbd_resource}"
                for n in self.nodes
                if n not in config.hosts
            ]
        if not self.vm_config.startswith(self.mount_point + "/"):
            problems.append(
                f"the VM's definition {self.vm_config} is not on the shared filesystem "
                f"({self.mount_point}): a node without it would start a second copy"
            )
        existing = {r.id for top in cib.resources for r in top.walk()}
        taken = sorted(existing & {*self.ids.values(), self.vm})
        if taken:
            problems.append(f"resources already configured: {', '.join(taken)}")
        return problems
