"""In a browser, on the real lab: create a Dummy from its metadata form, preview what
Pacemaker would do, apply, and see it start on the live page; the audit page lists it."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Locator, Page, expect

from resources.models import Resource
from tests.browser.conftest import Console, add_lab_cluster, sign_in, wait_until_watched
from tests.browser.test_live_pages import SHOTS
from tests.labutil import Lab, lab

pytestmark = [pytest.mark.browser, pytest.mark.lab]
RID = "web-dummy"


@pytest.fixture
def cleanup() -> Iterator[None]:
    yield
    lab("exec", "1", "pcs", "resource", "delete", RID, "--force", check=False)


def configured() -> bool:
    out = lab(
        "exec", "1", "cibadmin", "--query", "--xpath", f"//primitive[@id='{RID}']", check=False
    )
    return f'id="{RID}"' in out.stdout


def open_dummy_form(page: Page, console: Console, cluster_id: int) -> Locator:
    """The new-resource page with ocf:heartbeat:Dummy chosen; the form."""
    page.goto(f"{console.url}/clusters/{cluster_id}/create-resource/")
    page.select_option("#standard", "ocf:heartbeat")
    page.select_option("#agent", "ocf:heartbeat:Dummy")
    form = page.locator("#create-form")
    expect(form).to_be_visible()
    return form


def apply_and_succeed(dialog: Locator) -> None:
    """Apply the plan shown and wait for the operation to succeed."""
    dialog.locator("[data-apply]").click()
    expect(dialog.locator("[data-op-status]")).to_have_text("succeeded", timeout=60000)


def wait_mirrored(cluster_id: int) -> None:
    deadline = time.monotonic() + 15
    while not Resource.objects.filter(cluster_id=cluster_id, rid=RID).exists():
        assert time.monotonic() < deadline, "the monitor did not mirror the new resource"
        time.sleep(0.3)


def test_create_a_dummy_from_its_form_preview_apply_see_it_start(  # noqa: PLR0917
    page: Page,
    console: Console,
    monitor: subprocess.Popen[bytes],
    worker: subprocess.Popen[bytes],
    quiet_lab: Lab,
    errors: list[str],
    cleanup: None,
) -> None:
    cluster_id = add_lab_cluster(page, console, quiet_lab)
    wait_until_watched(cluster_id)
    sign_in(page, console, f"/clusters/{cluster_id}/")
    page.get_by_role("link", name="New resource…").click()
    form = open_dummy_form(page, console, cluster_id)
    fake = form.locator("input[name='param:fake']")
    expect(fake).to_have_attribute("placeholder", "default: dummy")
    expect(form.locator("tr[data-op=monitor] input[name^=op-interval]")).to_have_value("10s")
    form.locator("input[name=rid]").fill(RID)
    fake.fill("made in a browser; $(id)")
    form.get_by_role("button", name="Preview…").click()

    dialog = page.locator("#op-dialog")
    expect(dialog.locator("[data-action=start]")).to_contain_text(f"start {RID}", timeout=30000)
    expect(dialog.locator("[data-diff]")).to_contain_text(f'<primitive id="{RID}"')
    assert not configured()  # the preview changed nothing
    page.screenshot(path=str(SHOTS / "create-resource-plan.png"))
    apply_and_succeed(dialog)
    page.screenshot(path=str(SHOTS / "create-resource-applied.png"))
    assert configured()
    wait_mirrored(cluster_id)
    dialog.locator("[data-created]").click()
    expect(page.locator(f'dl[data-resource="{RID}"]')).to_have_attribute(
        "data-role", "Started", timeout=30000
    )
    expect(page.locator("tr[data-on-node]")).not_to_have_attribute("data-on-node", "")


def test_a_refused_plan_shows_pcs_own_words_and_a_change_can_be_reverted(  # noqa: PLR0917
    page: Page,
    console: Console,
    worker: subprocess.Popen[bytes],
    quiet_lab: Lab,
    errors: list[str],
    cleanup: None,
) -> None:
    cluster_id = add_lab_cluster(page, console, quiet_lab)
    sign_in(page, console, f"/clusters/{cluster_id}/")
    form = open_dummy_form(page, console, cluster_id)
    form.locator("input[name=rid]").fill("dummy1")  # the lab has it already
    form.get_by_role("button", name="Preview…").click()
    dialog = page.locator("#op-dialog")
    expect(dialog.locator("[data-stderr]")).to_contain_text("already exists", timeout=30000)
    expect(dialog.locator("[data-apply]")).to_be_disabled()
    expected = [e for e in errors if "status of 422" in e]
    assert len(expected) == 1  # the browser logs the refused request; nothing else failed
    errors.remove(expected[0])

    dialog.locator("[data-close]").click()
    form.locator("input[name=rid]").fill(RID)
    form.get_by_role("button", name="Preview…").click()
    apply_and_succeed(dialog)
    assert configured()
    page.goto(f"{console.url}/audit/?cluster={cluster_id}")
    created = page.locator("tr[data-status=succeeded]", has_text=f"create {RID}")
    expect(created).to_have_count(1)
    created.click()
    expect(page.locator("tr.detail")).to_contain_text("cibadmin --patch --xml-pipe")
    # undo the creation from the audit trail: planned, applied, the resource is gone
    page.locator("tr.detail [data-revert]").click()
    dialog = page.locator("#op-dialog")
    expect(dialog.locator("[data-diff]")).to_contain_text(f'<primitive id="{RID}"', timeout=30000)
    apply_and_succeed(dialog)
    assert not configured()


def test_configuration_views_and_deleting_a_constraint(
    page: Page,
    console: Console,
    worker: subprocess.Popen[bytes],
    quiet_lab: Lab,
    errors: list[str],
) -> None:
    try:
        cluster_id = add_lab_cluster(page, console, quiet_lab)
        sign_in(page, console, f"/clusters/{cluster_id}/")
        page.get_by_role("button", name="New constraint…").click()
        form = page.locator("#constraint-form")
        form.locator("select[name=resource]").select_option("dummy2")
        form.locator("select[name=node]").select_option("node2")
        form.locator("input[name=score]").fill("7")
        form.get_by_role("button", name="Preview…").click()
        dialog = page.locator("#op-dialog")
        expect(dialog.locator("[data-diff]")).to_contain_text('score="7"', timeout=30000)
        apply_and_succeed(dialog)
        dialog.locator("[data-close]").click()
        page.get_by_role("button", name="Constraints").click()
        row = page.locator("tr[data-constraint^=location-dummy2]")
        expect(row).to_contain_text("dummy2 on node2", timeout=30000)
        expect(row).to_contain_text("7")
        page.get_by_role("button", name="Fencing coverage").click()
        expect(page.locator("tr[data-fenceable=true]")).to_have_count(3, timeout=30000)
        page.get_by_role("button", name="Placement scores").click()
        expect(page.locator("[data-scores]")).to_contain_text("dummy2", timeout=30000)
        page.get_by_role("button", name="Properties").click()
        expect(page.locator("tr[data-property=stonith-enabled]")).to_contain_text(
            "true", timeout=30000
        )
        page.get_by_role("button", name="Corosync").click()
        expect(page.locator("#config-view")).to_contain_text("haconsole-lab", timeout=30000)
        with page.expect_download() as backup:
            page.locator("[data-download=backup]").click()
        assert backup.value.suggested_filename.endswith(".tar.bz2")
        page.get_by_role("button", name="Constraints").click()
        row.get_by_role("button", name="Delete…").click()
        dialog = page.locator("#op-dialog")
        expect(dialog.locator("[data-diff]")).to_contain_text("-", timeout=30000)
        dialog.locator("[data-apply]").click()
        expect(dialog.locator("[data-op-status]")).to_have_text("succeeded", timeout=60000)
        out = lab("exec", "1", "cibadmin", "--query", "--scope", "constraints").stdout
        assert "location-dummy2" not in out
    finally:
        out = lab("exec", "1", "cibadmin", "--query", "--scope", "constraints").stdout
        for cid in [p.split('"', 1)[0] for p in out.split('id="')[1:]]:
            if cid.startswith("location-dummy2"):
                lab("exec", "1", "pcs", "constraint", "delete", cid, check=False)


def test_create_a_fence_device_from_its_agent_metadata(
    page: Page, console: Console, worker: subprocess.Popen[bytes], quiet_lab: Lab, errors: list[str]
) -> None:
    device = "web-fence"
    try:
        cluster_id = add_lab_cluster(page, console, quiet_lab)
        sign_in(page, console, f"/clusters/{cluster_id}/")
        page.get_by_role("link", name="New fence device…").click()
        page.select_option("#agent", "stonith:fence_haconsole_lab")
        form = page.locator("#create-form")
        expect(form.locator("input[name='param:lab_dir']")).to_be_visible()
        form.locator("input[name=rid]").fill(device)
        form.locator("textarea[name=param-extra]").fill("pcmk_host_list=node3")
        form.get_by_role("button", name="Preview…").click()
        dialog = page.locator("#op-dialog")
        expect(dialog.locator("[data-diff]")).to_contain_text(
            f'<primitive id="{device}" class="stonith"', timeout=30000
        )
        apply_and_succeed(dialog)
        xml = lab(
            "exec", "1", "cibadmin", "--query", "--xpath", f"//primitive[@id='{device}']"
        ).stdout
        assert 'name="pcmk_host_list" value="node3"' in xml
    finally:
        lab("exec", "1", "pcs", "stonith", "delete", device, check=False)


def test_fencing_levels_from_the_coverage_view(
    page: Page, console: Console, worker: subprocess.Popen[bytes], quiet_lab: Lab, errors: list[str]
) -> None:
    answers = iter(["1", "lab-fence"])
    page.on("dialog", lambda d: d.accept(next(answers)))
    try:
        cluster_id = add_lab_cluster(page, console, quiet_lab)
        sign_in(page, console, f"/clusters/{cluster_id}/")
        page.get_by_role("button", name="Fencing coverage").click()
        page.locator("[data-level='node3:new']").click()
        dialog = page.locator("#op-dialog")
        expect(dialog.locator("[data-diff]")).to_contain_text('target="node3"', timeout=30000)
        apply_and_succeed(dialog)
        dialog.locator("[data-close]").click()
        page.get_by_role("button", name="Fencing coverage").click()
        row = page.locator("tr[data-node=node3][data-fenceable]")
        expect(row).to_contain_text("1: lab-fence", timeout=30000)
        page.locator("[data-level='node3:1']").click()
        expect(dialog.locator("[data-diff]")).to_contain_text("-", timeout=30000)
        apply_and_succeed(dialog)
        topology = lab("exec", "1", "cibadmin", "--query", "--scope", "configuration").stdout
        assert "fencing-level" not in topology
    finally:
        lab("exec", "1", "pcs", "stonith", "level", "clear", "node3", check=False)


def test_clone_a_resource_from_its_page(  # noqa: PLR0917
    page: Page,
    console: Console,
    monitor: subprocess.Popen[bytes],
    worker: subprocess.Popen[bytes],
    quiet_lab: Lab,
    errors: list[str],
) -> None:
    try:
        cluster_id = add_lab_cluster(page, console, quiet_lab)
        wait_until_watched(cluster_id)
        sign_in(page, console, f"/clusters/{cluster_id}/resources/dummy2/")
        page.locator("[data-do=clone]").click()
        dialog = page.locator("#op-dialog")
        expect(dialog.locator("[data-diff]")).to_contain_text(
            '<clone id="dummy2-clone"', timeout=30000
        )
        apply_and_succeed(dialog)
        out = lab("exec", "1", "cibadmin", "--query", "--scope", "resources").stdout
        assert '<clone id="dummy2-clone">' in out
    finally:
        lab("exec", "1", "pcs", "resource", "unclone", "dummy2", check=False)


def test_edit_a_resources_attributes(
    page: Page, console: Console, worker: subprocess.Popen[bytes], quiet_lab: Lab, errors: list[str]
) -> None:
    lab(
        "exec", "1", "pcs", "resource", "update", "dummy2", "fake=before", "meta", "description=old"
    )
    try:
        cluster_id = add_lab_cluster(page, console, quiet_lab)
        sign_in(page, console, f"/clusters/{cluster_id}/resources/dummy2/")
        page.locator("[data-do=edit]").click()
        panel = page.locator("#edit-panel")
        expect(panel.locator("textarea[name=params]")).to_have_value("fake=before", timeout=30000)
        expect(panel.locator("textarea[name=meta]")).to_have_value("description=old")
        panel.locator("textarea[name=params]").fill("fake=after; $(id)")
        panel.locator("textarea[name=meta]").fill("")
        panel.get_by_role("button", name="Preview…").click()
        dialog = page.locator("#op-dialog")
        expect(dialog.locator("[data-diff]")).to_contain_text("after; $(id)", timeout=30000)
        apply_and_succeed(dialog)
        xml = lab("exec", "1", "cibadmin", "--query", "--xpath", "//primitive[@id='dummy2']").stdout
        assert 'value="after; $(id)"' in xml
        assert "description" not in xml  # the removed line removed the attribute
    finally:
        lab(
            "exec",
            "1",
            "pcs",
            "resource",
            "update",
            "dummy2",
            "fake=",
            "meta",
            "description=",
            check=False,
        )
