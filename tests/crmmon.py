"""Loading crm_mon fixtures and finding resources in a parsed status, for the parser tests.

Fixtures in tests/fixtures/crm_mon: the `handmade_*` ones are written by hand (see the
comment at their top); every other one was recorded from the lab cluster (Pacemaker
2.1.5) by tools/record_fixtures.py.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from hacore.pacemaker.model import ClusterStatus, ResourceStatus
from hacore.pacemaker.status import parse_crm_mon

FIXTURES = Path(__file__).resolve().parent / "fixtures"
UTC = datetime.UTC


def load(name: str) -> ClusterStatus:
    """A crm_mon fixture, parsed."""
    return parse_crm_mon((FIXTURES / "crm_mon" / f"{name}.xml").read_bytes())


def rsc(status: ClusterStatus, rsc_id: str) -> ResourceStatus:
    """The first resource called rsc_id, at any depth."""
    found = [r for r in status.all_resources() if r.id == rsc_id]
    assert found, f"no resource {rsc_id}"
    return found[0]


def instances(status: ClusterStatus, rsc_id: str) -> list[ResourceStatus]:
    """Every resource called rsc_id (clone instances share their primitive's id)."""
    return [r for r in status.all_resources() if r.id == rsc_id]


NODE = (
    '<node name="node1" id="1" online="true" standby="false" maintenance="false" '
    'pending="false" unclean="false" shutdown="false" expected_up="true" is_dc="true" '
    'resources_running="0" type="member"/>'
)


def crm_mon_doc(resources: str = "", nodes: str = NODE, failures: str = "") -> str:
    """A minimal crm_mon result around the given <resources>, <nodes> and <failures> content:
    the envelope parse_crm_mon accepts (crm_mon's request, a summary, a node)."""
    return (
        '<pacemaker-result api-version="2.25" request="crm_mon --one-shot --inactive '
        '--output-as=xml"><summary><stack type="corosync"/>'
        '<current_dc present="true" version="2.1.5" name="node1" id="1" with_quorum="true"/>'
        f"</summary><nodes>{nodes}</nodes><resources>{resources}</resources>"
        f'<failures>{failures}</failures><status code="0" message="OK"/></pacemaker-result>'
    )


SCHEDULER = FIXTURES / "pacemaker-scheduler"


def scheduler(name: str) -> ClusterStatus:
    """crm_mon 2.1.5's status of Pacemaker's scheduler test CIB NAME, parsed
    (tests/fixtures/pacemaker-scheduler/crm_mon-2.1.5, see the README there)."""
    return parse_crm_mon((SCHEDULER / "crm_mon-2.1.5" / f"{name}.xml").read_bytes())
