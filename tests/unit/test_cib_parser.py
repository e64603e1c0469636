"""parse_cib on recorded lab CIBs and hand-written ones.

Fixtures: tests/fixtures/crm_mon (see tests/crmmon.py)."""

from __future__ import annotations

import pytest

from hacore.pacemaker.cib import parse_cib
from hacore.pacemaker.xmlsafe import ParseError
from tests.crmmon import FIXTURES


def test_recorded_cibs() -> None:
    cibs = {p.stem: parse_cib(p.read_bytes()) for p in (FIXTURES / "cib").glob("*.xml")}
    assert set(cibs) >= {"all_online", "maintenance", "cloned", "standby"}
    for cib in cibs.values():
        assert cib.option("cluster-name") == "haconsole-lab"
        assert cib.option("dc-version") == "2.1.5-a3f44794f94"
        assert cib.stonith_enabled
        assert cib.validate_with == "pacemaker-3.9"
        fence = cib.resource("lab-fence")
        assert fence is not None
        assert fence.params == (("pcmk_host_list", "node1,node2,node3"),)
    maintenance = cibs["maintenance"]
    dummy1, dummy2 = maintenance.resource("dummy1"), maintenance.resource("dummy2")
    assert dummy1 is not None
    assert dummy2 is not None
    assert (dummy1.managed, dummy2.target_role) == (False, "Stopped")
    assert maintenance.nodes[2].attributes == (("maintenance", "on"),)
    uniq = cibs["cloned"].resource("uniq-clone")
    assert uniq is not None
    assert uniq.meta_value("globally-unique") == "true"
    assert [c.id for c in uniq.children] == ["uniq"]
    assert [n.attributes for n in cibs["standby"].nodes] == [
        (("site", "paris"),),
        (("standby", "on"),),
        (("rack", "r3"),),
    ]


def test_cib_rejects_other_roots() -> None:
    with pytest.raises(ParseError, match="<cib>"):
        parse_cib("<pacemaker-result/>")
    with pytest.raises(ParseError, match="configuration"):
        parse_cib("<cib/>")


def test_cib_resources_and_options() -> None:
    cib = parse_cib(
        """<cib epoch="7" admin_epoch="0" num_updates="3" validate-with="pacemaker-3.9"
        have-quorum="1" dc-uuid="2"><configuration>
        <crm_config><cluster_property_set id="o">
          <nvpair id="o1" name="stonith-enabled" value="false"/>
          <nvpair id="o2" name="cluster-name" value="prod"/></cluster_property_set></crm_config>
        <nodes><node id="1" uname="a"><instance_attributes id="a-ia">
          <nvpair id="a-s" name="standby" value="on"/></instance_attributes></node></nodes>
        <resources>
          <master id="ms"><meta_attributes id="ms-m"><nvpair id="ms-t" name="target-role"
            value="Stopped"/></meta_attributes>
            <primitive id="st" class="ocf" provider="pacemaker" type="Stateful"/></master>
          <group id="g"><primitive id="ip" class="ocf" provider="heartbeat" type="IPaddr2">
            <instance_attributes id="ip-ia"><nvpair id="ip-ip" name="ip" value="192.0.2.1"/>
            </instance_attributes><meta_attributes id="ip-m"><nvpair id="ip-mg"
            name="is-managed" value="false"/></meta_attributes></primitive></group>
          <primitive id="fence" class="stonith" type="fence_ipmilan"/>
        </resources></configuration><status/></cib>"""
    )
    assert (cib.epoch, cib.num_updates, cib.have_quorum, cib.dc_uuid) == (7, 3, True, "2")
    assert (cib.option("cluster-name"), cib.stonith_enabled) == ("prod", False)
    assert cib.nodes[0].attributes == (("standby", "on"),)
    ms = cib.resource("ms")
    assert ms is not None
    assert (ms.kind, ms.target_role, ms.meta_value("promotable")) == ("clone", "Stopped", "true")
    ip = cib.resource("ip")
    assert ip is not None
    assert (ip.agent, ip.params, ip.managed) == (
        "ocf:heartbeat:IPaddr2",
        (("ip", "192.0.2.1"),),
        False,
    )
    fence = cib.resource("fence")
    assert fence is not None
    assert (fence.agent, fence.managed, fence.target_role) == ("stonith:fence_ipmilan", True, None)
