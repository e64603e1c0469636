"""In a browser, on the real lab: the advisor in the cluster page's Warnings card. A ban
left behind shows as a finding with its fix; the wall shows the count; the fix is
planned and applied through the dialog, and the finding goes away by itself."""

from __future__ import annotations

import subprocess

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Console, add_lab_cluster, sign_in, wait_until_watched
from tests.browser.test_live_pages import SHOTS, open_live
from tests.browser.test_operation_pages import apply_and_succeed
from tests.lab.oputil import where
from tests.labutil import Lab, lab

pytestmark = [pytest.mark.browser, pytest.mark.lab]


def test_a_left_ban_is_advised_counted_on_the_wall_and_fixed(  # noqa: PLR0917
    page: Page,
    console: Console,
    monitor: subprocess.Popen[bytes],
    worker: subprocess.Popen[bytes],
    quiet_lab: Lab,
    errors: list[str],
) -> None:
    away = next(n for n in ("node1", "node2", "node3") if n != where("dummy1"))
    ban = f"cli-ban-dummy1-on-{away}"
    cluster_id = add_lab_cluster(page, console, quiet_lab)
    wait_until_watched(cluster_id)
    try:
        lab("exec", "1", "pcs", "resource", "ban", "dummy1", away)  # made outside the console
        sign_in(page, console, f"/clusters/{cluster_id}/")
        open_live(page, f"{console.url}/clusters/{cluster_id}/")
        card = page.locator("#warnings #advice")
        finding = card.locator("li[data-rule='cli_constraint_left']")
        expect(finding).to_have_count(1, timeout=60000)
        expect(finding).to_have_attribute("data-severity", "warning")
        expect(finding).to_contain_text(f"{ban} keeps dummy1 off {away}")
        expect(finding).to_contain_text("first seen by the console")
        expect(card.locator("li[data-rule^='fence_']")).to_have_count(
            0
        )  # lab-fence reaches every node
        expect(card).to_contain_text("fence paths asked")
        page.screenshot(path=str(SHOTS / "advice-card.png"), full_page=True)

        wall = page.context.new_page()
        wall.goto(f"{console.url}/wall/")
        advice = wall.locator(f"section[data-cluster-id='{cluster_id}'] [data-field='advice']")
        expect(advice.locator(".value")).to_have_text("1")
        expect(advice).to_have_attribute("data-current", "true")
        wall.close()

        finding.locator("[data-fix]").click()
        dialog = page.locator("#op-dialog")
        expect(dialog.locator("[data-diff]")).to_contain_text(ban, timeout=30000)
        apply_and_succeed(dialog)
        dialog.locator("[data-close]").click()
        expect(finding).to_have_count(0, timeout=30000)  # followed the change by itself
        expect(card).to_have_attribute("data-count", "0")
        expect(card).to_contain_text("No advice")
    finally:
        lab("exec", "1", "pcs", "resource", "clear", "dummy1", check=False)
    assert ban not in lab("exec", "1", "cibadmin", "--query", "--scope", "constraints").stdout
