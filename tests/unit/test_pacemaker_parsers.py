"""corosync-cmapctl and crm_mon parsing, including hostile XML."""

import re

import pytest

from hacore.pacemaker import corosync
from hacore.pacemaker.status import parse_crm_mon
from hacore.pacemaker.xmlsafe import ParseError, parse_xml

CMAP_NODES = """\
nodelist.local_node_pos (u32) = 0
nodelist.node.0.name (str) = node1
nodelist.node.0.nodeid (u32) = 1
nodelist.node.0.ring0_addr (str) = 198.51.100.11
nodelist.node.1.name (str) = node2
nodelist.node.1.nodeid (u32) = 2
nodelist.node.1.ring0_addr (str) = 198.51.100.12
nodelist.node.1.ring1_addr (str) = 203.0.113.12
nodelist.node.10.nodeid (u32) = 11
nodelist.node.10.ring0_addr (str) = 198.51.100.21
"""

CRM_MON = """<?xml version="1.0"?>
<pacemaker-result api-version="2.29" request="crm_mon --one-shot --inactive --output-as=xml">
  <summary>
    <stack type="corosync"/>
    <current_dc present="true" version="2.1.5" name="node2" id="2" with_quorum="true"/>
    <nodes_configured number="3"/>
  </summary>
  <nodes>
    <node name="node1" id="1" online="true" standby="true" standby_onfail="false"
      maintenance="false" pending="false" unclean="false" shutdown="false" expected_up="true"
      is_dc="false" resources_running="0" type="member"/>
    <node name="node2" id="2" online="true" standby="false" maintenance="true" pending="false"
      unclean="false" shutdown="false" is_dc="true" resources_running="2" type="member"/>
    <node name="node3" id="3" online="false" standby="false" maintenance="false"
      pending="false" unclean="true" shutdown="false" is_dc="false" resources_running="x"/>
  </nodes>
  <status code="0" message="OK"/>
</pacemaker-result>
"""


def test_cluster_name() -> None:
    assert corosync.cluster_name("totem.cluster_name (str) = haconsole-lab\n") == "haconsole-lab"
    with pytest.raises(corosync.CmapError, match=r"^corosync has no totem\.cluster_name$"):
        corosync.cluster_name("")


def test_nodelist_in_position_order_with_links() -> None:
    nodes = corosync.nodelist(CMAP_NODES)
    assert [n.name for n in nodes] == ["node1", "node2", "198.51.100.21"]
    assert nodes[1].addresses == ("198.51.100.12", "203.0.113.12")
    assert nodes[2].nodeid == 11


def test_cmap_garbage_refused() -> None:
    with pytest.raises(corosync.CmapError, match=re.escape("line 1 is not 'KEY (TYPE) = VALUE'")):
        corosync.parse_cmap("Failed to initialize the cmap API. Error CS_ERR_LIBRARY\n")
    assert corosync.parse_cmap("\ntotem.cluster_name (str) = lab\n") == {
        "totem.cluster_name": "lab"
    }


def test_crm_mon_nodes() -> None:
    status = parse_crm_mon(CRM_MON)
    assert status.dc == "node2"
    assert status.quorate is True
    node1, node2, node3 = status.nodes
    assert (node1.online, node1.standby, node1.maintenance) == (True, True, False)
    assert (node2.maintenance, node2.is_dc, node2.resources_running) == (True, True, 2)
    assert (node3.online, node3.unclean, node3.resources_running) == (False, True, 0)
    assert status.warnings == ("node node3: resources_running='x' is not a number",)


def test_crm_mon_without_quorum_or_dc() -> None:
    xml = CRM_MON.replace('present="true"', 'present="false"').replace(
        'with_quorum="true"', 'with_quorum="false"'
    )
    status = parse_crm_mon(xml)
    assert status.dc is None
    assert status.quorate is False


@pytest.mark.parametrize(
    "payload",
    [
        # billion laughs
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
        "<pacemaker-result>&lol3;</pacemaker-result>",
        # XXE: local file
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        "<pacemaker-result>&x;</pacemaker-result>",
        # XXE: network
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "http://127.0.0.1:1/x">]>'
        "<pacemaker-result>&x;</pacemaker-result>",
        '<!DOCTYPE r SYSTEM "http://127.0.0.1:1/x.dtd"><pacemaker-result/>',
    ],
)
def test_hostile_xml_refused(payload: str) -> None:
    with pytest.raises(ParseError, match=r"^XML with a DOCTYPE is refused"):
        parse_crm_mon(payload)
    assert parse_crm_mon('<?xml version="1.0"?>' + CRM_MON.split("?>", 1)[1]).nodes


@pytest.mark.parametrize("text", ["", "<a>", "not xml", "<pacemaker-result><nodes>"])
def test_malformed_xml_refused(text: str) -> None:
    with pytest.raises(ParseError, match=r"^malformed XML: "):
        parse_xml(text)
    assert parse_xml("<pacemaker-result><nodes/></pacemaker-result>").tag == "pacemaker-result"


def test_well_formed_xml_is_parsed() -> None:
    assert parse_xml("<a/>").tag == "a"
    assert len(parse_xml("<pacemaker-result><nodes/></pacemaker-result>")) == 1


def test_wrong_root_refused() -> None:
    with pytest.raises(ParseError, match=r"^expected <pacemaker-result>, got <cib>$"):
        parse_crm_mon("<cib/>")
    assert parse_crm_mon(CRM_MON).dc == "node2"


def test_node_without_name_refused() -> None:
    with pytest.raises(ParseError, match=r"^a <node> without a name$"):
        parse_crm_mon(CRM_MON.replace('name="node3" ', ""))
    assert parse_crm_mon(CRM_MON).nodes[2].name == "node3"
