"""In a browser, on the real lab: a node drained from its page (no VM on the plain lab:
the drain goes straight to standby), its steps appearing as the worker pushes them, then
returned from the same card."""

from __future__ import annotations

import subprocess

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Console, add_lab_cluster, sign_in
from tests.labutil import Lab, lab

pytestmark = [pytest.mark.browser, pytest.mark.lab]
NODE = "node3"


def standby() -> str:
    out = lab("exec", "1", "crm_attribute", "--type", "nodes", "--node", NODE, "--name",
              "standby", "--query", "--quiet", check=False)  # fmt: skip
    return out.stdout.strip()


def test_drain_a_node_from_its_page_and_return_it(
    page: Page, console: Console, worker: subprocess.Popen[bytes], quiet_lab: Lab, errors: list[str]
) -> None:
    page.on("dialog", lambda d: d.accept())
    try:
        cluster_id = add_lab_cluster(page, console, quiet_lab)
        sign_in(page, console, f"/clusters/{cluster_id}/nodes/{NODE}/")
        card = page.locator("#drain")
        expect(card).to_contain_text("Never drained from this console.")
        card.locator("[data-drain-do=start]").click()
        # the steps show up one by one, pushed: no reload
        steps = card.locator("[data-drain-steps] li")
        expect(steps.first).to_contain_text(f"find the VMs on {NODE}", timeout=30000)
        expect(card.locator("[data-drain-phase]")).to_have_attribute(
            "data-drain-phase", "drained", timeout=120000
        )
        expect(card.locator("[data-drain-status]")).to_have_text("paused")
        expect(card.locator("[data-vm]")).to_have_count(0)
        expect(card).to_contain_text("No VM had to move.")
        expect(steps.filter(has_text=f"standby {NODE}")).to_have_attribute(
            "data-step-state", "done"
        )
        expect(card.locator("[data-drain-note]")).to_contain_text(f"{NODE} is drained")
        assert standby() == "on"
        card.locator("[data-drain-do=return]").click()
        expect(card.locator("[data-drain-phase]")).to_have_attribute(
            "data-drain-phase", "done", timeout=120000
        )
        expect(card.locator("[data-drain-status]")).to_have_text("succeeded")
        expect(steps.filter(has_text=f"unstandby {NODE}")).to_have_attribute(
            "data-step-state", "done"
        )
        expect(steps.filter(has_text="asked to return the node")).to_have_count(1)
        assert standby() in ("", "off")
        assert errors == []
    finally:
        lab("exec", "1", "pcs", "node", "unstandby", NODE, check=False)
