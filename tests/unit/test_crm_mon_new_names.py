"""Names Pacemaker 3.0.2 deprecates in crm_mon's XML (it prints old and new for now):
`fencing-enabled` (was `stonith-enabled`) and `removed` (was `orphaned`). The new name
is read first and the old one is the fallback, so that "fencing disabled" and orphans
do not vanish when the old names go.

Fixtures: handmade_fencing_off_2_1_5 is crm_mon 2.1.5's real output for a hand-written
CIB (tests/fixtures/handmade-cib/); handmade_fencing_off_3_0_2 is that output edited by
hand to carry only the new names.
"""

from __future__ import annotations

import pytest

from hacore.pacemaker.model import ClusterStatus
from hacore.pacemaker.snapshot import to_snapshot, warnings
from hacore.pacemaker.status import parse_crm_mon
from tests.crmmon import FIXTURES, load, rsc


def seen(status: ClusterStatus) -> tuple[bool | None, bool, bool]:
    """(fencing enabled, old_app orphaned, web orphaned)."""
    return (
        status.summary.stonith_enabled,
        rsc(status, "old_app").orphaned,
        rsc(status, "web").orphaned,
    )


@pytest.mark.parametrize("name", ["handmade_fencing_off_2_1_5", "handmade_fencing_off_3_0_2"])
def test_fencing_off_and_orphans_under_either_name(name: str) -> None:
    status = load(name)
    assert seen(status) == (False, True, False)
    codes = {w["code"] for w in warnings(to_snapshot(status))}
    assert "fencing_disabled" in codes
    assert status.warnings == ()


def test_the_3_0_2_fixture_has_only_the_new_names() -> None:
    text = (FIXTURES / "crm_mon" / "handmade_fencing_off_3_0_2.xml").read_text()
    body = text.split("-->", 1)[1]
    assert "stonith-enabled" not in body
    assert " orphaned=" not in body
    assert 'fencing-enabled="false"' in body
    assert 'removed="true"' in body


def test_the_new_names_win_when_both_are_printed() -> None:
    """Pacemaker 3.0.2 prints both; were they ever to differ, the new one is the truth."""
    text = (FIXTURES / "crm_mon" / "handmade_fencing_off_3_0_2.xml").read_text()
    both = text.replace(
        'fencing-enabled="false"', 'fencing-enabled="false" stonith-enabled="true"'
    ).replace('removed="true"', 'removed="true" orphaned="false"')
    assert seen(parse_crm_mon(both)) == (False, True, False)
    reverse = text.replace(
        'fencing-enabled="false"', 'fencing-enabled="true" stonith-enabled="false"'
    ).replace('removed="true"', 'removed="false" orphaned="true"')
    assert seen(parse_crm_mon(reverse)) == (True, False, False)


def test_neither_name_means_unknown_not_enabled() -> None:
    text = load_text("handmade_fencing_off_2_1_5").replace('stonith-enabled="false" ', "")
    assert parse_crm_mon(text).summary.stonith_enabled is None
    assert load("handmade_fencing_off_2_1_5").summary.stonith_enabled is False


def load_text(name: str) -> str:
    """The text of a crm_mon fixture."""
    return (FIXTURES / "crm_mon" / f"{name}.xml").read_text()
