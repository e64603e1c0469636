"""Real guests in the lab: a VirtualDomain resource on a QEMU guest under each node's
libvirtd live-migrates with pcs resource move, and restarts elsewhere when its node is
killed (and fenced). The module ends with the plain lab (no VM, no resource)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.lab.labmachines import (
    crm_mon,
    node_names,
    on,
    online,
    placements,
    qemu_count,
    reset,
    wait_until,
)
from tests.labutil import lab

pytestmark = pytest.mark.lab
VM = "labvm1"


def running_on() -> str:
    started = [node for role, node in placements(VM) if role == "Started"]
    return started[0] if len(started) == 1 else ""


@pytest.fixture(scope="module", autouse=True)
def vm_resource() -> Iterator[None]:
    """A VirtualDomain resource on a diskless guest, started; the plain lab afterwards."""
    reset()
    xml = lab("vm", "create", VM, check=True).stdout.strip()
    lab(
        "exec", "1", "pcs", "resource", "create", VM, "ocf:heartbeat:VirtualDomain",
        f"config={xml}", "hypervisor=qemu:///system", "migration_transport=ssh",
        "force_stop=true", "meta", "allow-migrate=true",
        "op", "monitor", "interval=10s", "timeout=30s", check=True,
    )  # fmt: skip
    wait_until(f"{VM} started", running_on, 120)
    yield
    reset()


def operations(node: str, task: str) -> list[str]:
    """Results of `task` operations of the VM on `node`, from crm_mon's history."""
    root = crm_mon(1)
    if root is None:
        return []
    history = root.find(f"node_history/node[@name='{node}']/resource_history[@id='{VM}']")
    if history is None:
        return []
    return [
        op.get("rc_text", "")
        for op in history.iterfind("operation_history")
        if op.get("task") == task
    ]


def test_vm_live_migrates_with_pcs_resource_move() -> None:
    source = running_on()
    target = next(n for n in node_names() if n != source)
    numbers = {name: int(name.removeprefix("node")) for name in node_names()}
    assert qemu_count(numbers[source]) == 1
    lab("exec", "1", "pcs", "resource", "move", VM, target, "--wait=120", check=True, timeout=180)
    wait_until(f"{VM} on {target}", lambda: running_on() == target or None, 60)
    assert {name: qemu_count(n) for name, n in numbers.items()} == {
        name: int(name == target) for name in numbers
    }
    assert operations(source, "migrate_to") == ["ok"]
    assert operations(target, "migrate_from") == ["ok"]
    state = on(numbers[target], "virsh", "-c", "qemu:///system", "domstate", VM, "--reason")
    assert state.strip() == "running (migrated)"


def fenced(target: str) -> bool:
    out = on(1 if target != "node1" else 2, "stonith_admin", "--history", target)
    return f"reboot of {target} successful" in out


def test_killing_the_vms_node_fences_it_and_the_vm_restarts_elsewhere() -> None:
    victim = running_on()
    survivor = 1 if victim != "node1" else 2
    on(survivor, "stonith_admin", "--cleanup", "--history", "*")
    lab("kill-node", victim.removeprefix("node"), check=True)
    wait_until(f"{victim} fenced", lambda: fenced(victim) or None, 90)
    new_home = wait_until(
        f"{VM} elsewhere", lambda: ((n := running_on()) != victim and n) or None, 120
    )
    assert qemu_count(int(new_home.removeprefix("node"))) == 1
    lab("start-node", victim.removeprefix("node"), timeout=240)
    wait_until("all online", lambda: online(1) == set(node_names()) or None, 90)
    assert qemu_count(int(victim.removeprefix("node"))) == 0
