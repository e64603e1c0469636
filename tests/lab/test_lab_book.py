"""`lab/lab scenario book --fixed`: the book's stack starts and every resource reaches its
role, DRBD and libvirt underneath agree; `lab/lab scenario reset` brings the plain lab
back. (Without --fixed the VM may be placed where libvirtd is not, the book's trap: its
start then fails after a long timeout, too slow for the suite; see docs/lab.md.)"""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.lab.labmachines import book_scenario, node_names, on, placements, reset
from tests.labutil import lab

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "lab"))

from labctl.scenario import FIX, pcs_commands

pytestmark = pytest.mark.lab
CLONES = ("dlm", "clvmd", "sharedFS", "res_libvirtd")


@pytest.fixture(scope="module")
def book() -> Iterator[None]:
    with book_scenario():
        yield


def number(node: str) -> int:
    return int(node.removeprefix("node"))


def constraints() -> ET.Element:
    xml = on(1, "cibadmin", "--query", "--scope", "constraints")
    return ET.fromstring(xml)  # noqa: S314 - the lab's own cibadmin


def test_every_resource_of_the_book_reaches_its_role(book: None) -> None:
    promoted = sorted(node for role, node in placements("drbd_datos") if role == "Promoted")
    assert len(promoted) == 2
    for clone in CLONES:
        assert sorted(node for role, node in placements(clone) if role == "Started") == promoted
    vm = [node for role, node in placements("ubuntu") if role == "Started"]
    assert len(vm) == 1
    assert vm[0] in promoted
    domains = on(number(vm[0]), "virsh", "-c", "qemu:///system", "list", "--name").split()
    assert domains == ["ubuntu"]
    for node in promoted:
        view = json.loads(on(number(node), "drbdsetup", "status", "datos", "--json"))[0]
        assert view["role"] == "Primary"
        assert view["devices"][0]["disk-state"] == "UpToDate"
        other = next(c for c in view["connections"] if c["name"] in promoted)
        assert (other["connection-state"], other["peer-role"]) == ("Connected", "Primary")
        score = on(number(node), "crm_attribute", "--promotion=drbd_datos", "--lifetime", "reboot",
                   "--query", "--quiet")  # fmt: skip
        assert score.strip() == "10000"
    spare = next(n for n in node_names() if n not in promoted)
    assert on(number(spare), "systemctl", "is-active", "libvirtd").strip() == "inactive"


def test_the_book_orders_and_colocations_are_in_the_cib(book: None) -> None:
    root = constraints()
    orders = {
        (o.get("first"), o.get("first-action"), o.get("then"), o.get("then-action"))
        for o in root.iter("rsc_order")
    }
    assert ("drbd_datos-clone", "promote", "dlm-clone", "start") in orders
    assert ("res_libvirtd-clone", "start", "ubuntu", "start") in orders
    vm_order = next(o for o in root.iter("rsc_order") if o.get("then") == "ubuntu")
    assert vm_order.get("symmetrical") == "false"
    colocations = {(c.get("rsc"), c.get("with-rsc")) for c in root.iter("rsc_colocation")}
    assert ("dlm-clone", "drbd_datos-clone") in colocations
    assert ("ubuntu", "res_libvirtd-clone") in colocations  # --fixed
    types = {
        p.get("id"): f"{p.get('class')}:{p.get('provider') or ''}:{p.get('type')}"
        for p in ET.fromstring(on(1, "cibadmin", "--query", "--scope", "resources")).iter(  # noqa: S314
            "primitive"
        )
    }
    assert types["drbd_datos"] == "ocf:linbit:drbd"
    assert types["res_libvirtd"] == "lsb::libvirtd"
    assert types["ubuntu"] == "ocf:heartbeat:VirtualDomain"


def test_without_fixed_the_vm_is_not_colocated_with_libvirtd() -> None:
    plain, fixed = pcs_commands(False), pcs_commands(True)
    assert [c for c in fixed if c not in plain] == [["constraint", "colocation", "add", *FIX]]
    assert FIX[:3] == ["ubuntu", "with", "res_libvirtd-clone"]


def test_scenario_reset_brings_the_plain_lab_back(book: None) -> None:
    lab("scenario", "reset", timeout=600)
    ids = {
        p.get("id")
        for p in ET.fromstring(on(1, "cibadmin", "--query", "--scope", "resources")).iter(  # noqa: S314
            "primitive"
        )
    }
    assert ids == {"lab-fence", "dummy1", "dummy2"}
    for node in node_names():
        assert on(number(node), "systemctl", "is-active", "libvirtd").strip() == "active"
        assert (
            on(number(node), "drbdsetup", "status").strip()
            == "# No currently configured DRBD found."
        )
    assert lab("vm", "list").stdout == ""
    reset()
