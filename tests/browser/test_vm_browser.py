"""In a browser, on the lab's book scenario: a VirtualDomain's resource page carries the
VM card (libvirt's state of the domain on every node next to Pacemaker's placement);
a migration to a node without the stack shows every blocker; a live migration planned
and applied from the card moves the VM, and the card follows it without a reload; a
copy started by hand with virsh is a red double-run alarm. Every test here is
transactional, so pytest-django keeps them together around the module's scenario."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from clusters.models import Event
from tests.browser.conftest import Console, add_lab_cluster, sign_in, wait_until_watched
from tests.lab.labmachines import book_scenario, node_names, on, placements, wait_until
from tests.labutil import Lab, lab

pytestmark = [pytest.mark.browser, pytest.mark.lab]


@pytest.fixture(scope="module")
def book() -> Iterator[None]:
    with book_scenario():
        yield


def virsh(node: str, *argv: str) -> str:
    return on(int(node.removeprefix("node")), "virsh", "-c", "qemu:///system", *argv, check=True)


@pytest.mark.usefixtures("book", "monitor", "worker")
def test_the_vm_card_migrates_live_and_raises_the_double_run_alarm(
    page: Page, console: Console, quiet_lab: Lab
) -> None:
    script_errors: list[str] = []  # (the refused migration's 409 is a console error: expected)
    page.on("pageerror", lambda exc: script_errors.append(f"{exc}\n{exc.stack}"))
    promoted = sorted(n for role, n in placements("drbd_datos") if role == "Promoted")
    (host,) = [n for role, n in placements("ubuntu") if role == "Started"]
    other = next(n for n in promoted if n != host)
    (spare,) = [n for n in node_names() if n not in promoted]
    cluster_id = add_lab_cluster(page, console, quiet_lab)
    wait_until_watched(cluster_id)
    sign_in(page, console, f"/clusters/{cluster_id}/resources/ubuntu/")
    card = page.locator("#vm")
    expect(card.locator(f"tr[data-on-node={host}]")).to_have_attribute(
        "data-domain-state", "running", timeout=30000
    )
    expect(card.locator(f"tr[data-on-node={spare}]")).to_have_attribute(
        "data-domain-state", "unknown"
    )
    expect(card.locator("[data-double-run]")).to_have_count(0)
    # libvirt's own description where it runs: the lab's guest (1 vCPU, 64 MiB, no disk)
    described = card.locator(f"[data-vm-details={host}]")
    expect(described.locator("[data-field=vcpus]")).to_have_text("1")
    expect(described.locator("[data-field=memory]")).to_have_text("64 MiB of 64 MiB")
    expect(described).to_contain_text("No disk.")
    dialog = page.locator("#op-dialog")
    # to the node without libvirtd nor the storage: refused, every blocker named
    card.locator("[data-migrate-to]").select_option(spare)
    card.locator("[data-do=migrate]").click()
    expect(dialog.locator("[data-blocker=dependency_not_running]").first).to_contain_text(
        f"not running on {spare}", timeout=60000
    )
    expect(dialog.locator("[data-blocker=drbd_down]")).to_contain_text("datos")
    dialog.locator("[data-close]").click()
    # to the other node of the stack: Pacemaker's plan is a migration; applied, followed
    card.locator("[data-migrate-to]").select_option(other)
    card.locator("[data-do=migrate]").click()
    expect(dialog.locator("[data-action=migrate]")).to_contain_text(
        f"{host} -> {other}", timeout=60000
    )
    dialog.locator("[data-apply]").click()
    expect(dialog.locator("[data-op-status]")).to_have_text("succeeded", timeout=120000)
    dialog.locator("[data-close]").click()
    expect(page.locator(f"#placement [data-on-node={other}]")).to_have_count(1, timeout=30000)
    expect(card).to_have_attribute("data-vm-node", other, timeout=30000)
    expect(card.locator(f"tr[data-on-node={other}]")).to_have_attribute(
        "data-domain-state", "running"
    )
    expect(card.locator(f"tr[data-on-node={host}]")).not_to_have_attribute(
        "data-domain-state", "running"
    )
    # a second copy started by hand behind Pacemaker's back
    config = card.locator("dd code").first.inner_text()
    virsh(host, "create", config)
    try:
        card.locator("[data-vm-read]").click()
        alarm = card.locator("[data-double-run]")
        expect(alarm).to_contain_text("DOUBLE RUN", timeout=30000)
        expect(alarm).to_contain_text(f"where Pacemaker does not place it ({host})")
    finally:
        virsh(host, "destroy", "ubuntu")
    card.locator("[data-vm-read]").click()
    expect(card.locator("[data-double-run]")).to_have_count(0, timeout=30000)
    # a restart, through Pacemaker: the plan names pcs's live restart, not virsh
    card.locator("[data-do=vm-restart]").click()
    expect(dialog.locator("[data-commands]")).to_contain_text(
        "pcs resource restart ubuntu", timeout=60000
    )
    expect(dialog.locator("[data-commands]")).not_to_contain_text("virsh")
    dialog.locator("[data-close]").click()
    assert script_errors == []


def resync_percent(page: Page) -> float | None:
    """The DRBD card's first resync bar, if one shows."""
    value = page.evaluate(
        "() => { const p = document.querySelector('#drbd progress'); return p ? p.value : null; }"
    )
    return None if value is None else float(value)


@pytest.mark.usefixtures("book", "monitor", "worker")
def test_the_drbd_card_follows_a_resync_and_resolves_a_split_brain(
    page: Page, console: Console, quiet_lab: Lab
) -> None:
    promoted = sorted(n for role, n in placements("drbd_datos") if role == "Promoted")
    (host,) = [n for role, n in placements("ubuntu") if role == "Started"]
    victim = next(n for n in promoted if n != host)
    cluster_id = add_lab_cluster(page, console, quiet_lab)
    wait_until_watched(cluster_id)
    sign_in(page, console, f"/clusters/{cluster_id}/resources/drbd_datos-clone/")
    card = page.locator("#drbd")
    expect(card.locator("tr[data-disk-state=UpToDate]")).to_have_count(2, timeout=30000)
    # a full resync of the 1 GiB disk at 80 MiB/s from the VM's node: the bar appears and
    # moves without a reload nor a click, pushed from DRBD's own events (drbdsetup events2)
    lab("drbd", "resync", "datos", "--rate", "80", "--from", host.removeprefix("node"))
    expect(card).to_have_attribute("data-syncing", "true", timeout=15000)
    assert int(card.get_attribute("data-pushed") or 0) > 0
    first = resync_percent(page)
    assert first is not None
    assert first < 100
    page.wait_for_function(
        f"() => {{ const p = document.querySelector('#drbd progress');"
        f" return !p || p.value > {first}; }}",
        timeout=30000,
    )
    expect(card).to_have_attribute("data-syncing", "false", timeout=60000)
    expect(card.locator("tr[data-disk-state=UpToDate]")).to_have_count(2)
    # a split-brain: red, then resolved from the card with the victim's name typed back
    lab(
        "drbd",
        "split-brain",
        "datos",
        "--nodes",
        ",".join(n.removeprefix("node") for n in promoted),
    )
    alarm = card.locator("[data-split-brain]")
    expect(alarm).to_contain_text("SPLIT-BRAIN", timeout=15000)
    # the monitor raises it for the whole cluster too: its page, the wall, the events
    raised = wait_until(
        "the split-brain event",
        lambda: Event.objects.filter(cluster_id=cluster_id, kind="split_brain").first(),
    )
    assert raised.severity == "critical"
    assert "DRBD datos is StandAlone on" in raised.message
    card.locator("[data-victim]").select_option(victim)
    card.locator("[data-confirm]").fill(victim)
    card.locator("[data-do=resolve-split-brain]").click()
    dialog = page.locator("#op-dialog")
    expect(dialog.locator(f"[data-commands] li[data-node={victim}]").last).to_contain_text(
        "drbdadm connect --discard-my-data datos", timeout=60000
    )
    dialog.locator("[data-apply]").click()
    expect(dialog.locator("[data-op-status]")).to_have_text("succeeded", timeout=120000)
    dialog.locator("[data-close]").click()
    expect(card).to_have_attribute("data-split-brain", "false", timeout=15000)
    wait_until(
        "the split-brain's end",
        lambda: Event.objects.filter(cluster_id=cluster_id, kind="split_brain_ended").first(),
    )
    expect(card).to_have_attribute("data-syncing", "false", timeout=60000)
    expect(card.locator("tr[data-disk-state=UpToDate]")).to_have_count(2)
