"""The advisor's rules, each on a configuration that triggers it and one that does not.

The book's chapter 11 configuration (tests/fixtures/advice/book_ch11.*.xml, the book's
own ids) is the VM trap the issue is about: ubuntu ordered after res_libvirtd-clone
(symmetrical=false), never colocated, placed on the third node.
"""

from __future__ import annotations

import datetime
from dataclasses import replace

from hacore.advice import cluster, placement
from hacore.advice.model import Facts, Finding, Severity, Since
from hacore.advice.rules import RULES, advise, read_facts
from hacore.pacemaker.cib import parse_cib
from hacore.pacemaker.constraints import parse_constraints, parse_fencing_topology
from hacore.pacemaker.model import ClusterStatus, OperationRecord
from tests.scripted import fixture
from tests.statusfactory import clone, node, primitive, status

NOW = datetime.datetime(2026, 11, 27, 18, 30, tzinfo=datetime.UTC)
BOOK_CIB = fixture("advice/book_ch11.cib.xml")
BOOK_MON = fixture("advice/book_ch11.crm_mon.xml")
VM_COLOCATION = (
    '<rsc_colocation id="colocation-ubuntu-res_libvirtd-clone-INFINITY" rsc="ubuntu" '
    'with-rsc="res_libvirtd-clone" score="INFINITY"/>'
)
THREE = status([node("node1"), node("node2"), node("node3")])


def book(cib: str = BOOK_CIB, mon: str = BOOK_MON, **kw: object) -> Facts:
    return read_facts(cib, mon, now=NOW, **kw)  # type: ignore[arg-type]


def cib_xml(
    resources: str = "",
    constraints: str = "",
    options: dict[str, str] | None = None,
    nodes: int = 3,
    extra: str = "",
) -> str:
    """A CIB with nodes node1..nodeN, the given resources, constraints and properties."""
    props = {"stonith-enabled": "true", **(options or {})}
    pairs = "".join(f'<nvpair id="o-{k}" name="{k}" value="{v}"/>' for k, v in props.items())
    node_xml = "".join(f'<node id="{i}" uname="node{i}"/>' for i in range(1, nodes + 1))
    return (
        '<cib admin_epoch="0" epoch="5" num_updates="0"><configuration>'
        f'<crm_config><cluster_property_set id="o">{pairs}</cluster_property_set></crm_config>'
        f"<nodes>{node_xml}</nodes><resources>{resources}</resources>"
        f"<constraints>{constraints}</constraints>{extra}</configuration><status/></cib>"
    )


def facts(xml: str, state: ClusterStatus = THREE, **kw: object) -> Facts:
    return Facts(
        cib=parse_cib(xml),
        constraints=parse_constraints(xml),
        topology=parse_fencing_topology(xml),
        status=state,
        now=NOW,
        **kw,  # type: ignore[arg-type]
    )


def rules(found: list[Finding]) -> list[str]:
    return [f.rule for f in found]


def dummy(rid: str, agent: str = 'class="ocf" provider="heartbeat" type="Dummy"') -> str:
    return f'<primitive id="{rid}" {agent}/>'


def clone_xml(cid: str, member: str, meta: str = "", agent: str = "") -> str:
    inner = dummy(member, agent) if agent else dummy(member)
    meta_xml = f'<meta_attributes id="{cid}-m">{meta}</meta_attributes>' if meta else ""
    return f'<clone id="{cid}">{inner}{meta_xml}</clone>'


def nv(name: str, value: str) -> str:
    return f'<nvpair id="nv-{name}" name="{name}" value="{value}"/>'


FENCE = (
    '<primitive id="f1" class="stonith" type="fence_ipmilan">'
    f'<instance_attributes id="f1-ia">{nv("pcmk_host_list", "node1 node2 node3")}'
    "</instance_attributes></primitive>"
)


# --- the book's chapter 11 ---------------------------------------------------------------


def test_the_book_vm_trap_is_found_and_nothing_else() -> None:
    found = advise(book())
    assert rules(found) == ["runs_without_clone", "order_without_colocation"]
    placed, order = found
    assert placed.severity == Severity.CRITICAL
    assert [(o.kind, o.id) for o in placed.objects] == [
        ("resource", "ubuntu"),
        ("node", "node3"),
        ("resource", "res_libvirtd-clone"),
        ("constraint", "order-res_libvirtd-clone-ubuntu-mandatory"),
    ]
    assert "ubuntu runs on node3, where res_libvirtd-clone does not run" in placed.detail
    assert order.severity == Severity.WARNING
    assert "(symmetrical=false)" in order.detail
    assert "clone-max=2 on 3 nodes" in order.detail
    fix = {
        "method": "POST",
        "path": "/api/v1/clusters/7/constraints/",
        "body": {
            "type": "colocation",
            "resource": "ubuntu",
            "with": "res_libvirtd-clone",
            "score": "INFINITY",
        },
        "summary": "colocate ubuntu with res_libvirtd-clone",
        "permission": "administer",
    }
    assert placed.as_dict(7)["fix"] == order.as_dict(7)["fix"] == fix


def test_the_book_colocated_and_placed_with_its_clone_is_clean() -> None:
    fixed = BOOK_CIB.replace("</constraints>", f"{VM_COLOCATION}</constraints>")
    placed = BOOK_MON.replace(
        '<node name="node3" id="3" cached="true"/>\n    </resource>\n  </resources>',
        '<node name="node1" id="1" cached="true"/>\n    </resource>\n  </resources>',
    )
    assert placed != BOOK_MON
    assert advise(book(fixed, placed)) == []


def test_colocated_but_not_yet_moved_has_no_fix() -> None:
    fixed = BOOK_CIB.replace("</constraints>", f"{VM_COLOCATION}</constraints>")
    found = advise(book(fixed))
    assert rules(found) == ["runs_without_clone"]
    assert found[0].fix is None
    assert "may still be moving them" in found[0].detail


# --- placement -------------------------------------------------------------------------


def order(first: str, then: str, **options: str) -> str:
    attrs = "".join(f' {k.replace("_", "-")}="{v}"' for k, v in options.items())
    return f'<rsc_order id="o-{first}-{then}" first="{first}" then="{then}"{attrs}/>'


def test_order_between_primitives_is_only_info_and_serialize_is_left_alone() -> None:
    xml = cib_xml(dummy("db") + dummy("app") + dummy("x"), order("db", "app"))
    (found,) = placement.order_without_colocation(facts(xml))
    assert (found.severity, found.fix is not None) == (Severity.INFO, True)
    serial = cib_xml(dummy("db") + dummy("app"), order("db", "app", kind="Serialize"))
    assert list(placement.order_without_colocation(facts(serial))) == []


def test_groups_sets_and_either_direction_count_as_colocated() -> None:
    group = '<group id="g">' + dummy("a") + dummy("b") + "</group>"
    assert list(placement.order_without_colocation(facts(cib_xml(group, order("a", "b"))))) == []
    reverse = '<rsc_colocation id="c" rsc="c1" with-rsc="v" score="500"/>'
    resources = clone_xml("c1", "m") + dummy("v")
    both = cib_xml(resources, order("c1", "v") + reverse)
    assert list(placement.order_without_colocation(facts(both))) == []
    against = reverse.replace('score="500"', 'score="-INFINITY"')
    apart = cib_xml(resources, order("c1", "v") + against)
    assert rules(list(placement.order_without_colocation(facts(apart)))) == [
        "order_without_colocation"
    ]
    in_set = (
        '<rsc_colocation id="cs" score="INFINITY"><resource_set id="s1">'
        '<resource_ref id="v"/><resource_ref id="c1"/></resource_set></rsc_colocation>'
    )
    sets = cib_xml(resources, order("c1", "v") + in_set)
    assert list(placement.order_without_colocation(facts(sets))) == []


def test_after_a_promotion_the_fix_colocates_with_the_promoted_role() -> None:
    promotable = clone_xml("ms", "d", nv("promotable", "true"))
    xml = cib_xml(promotable + dummy("fs"), order("ms", "fs", first_action="promote"))
    (found,) = placement.order_without_colocation(facts(xml))
    assert found.fix is not None
    assert found.fix.body == {
        "type": "colocation",
        "resource": "fs",
        "with": "ms",
        "score": "INFINITY",
        "with_role": "Promoted",
    }


def test_runs_without_clone_only_where_the_clone_is_missing() -> None:
    xml = cib_xml(clone_xml("lib-clone", "lib") + dummy("vm"), order("lib-clone", "vm"))
    nodes = [node("node1"), node("node2"), node("node3")]
    lib = clone("lib-clone", "lib", {"node1": "Started", "node2": "Started"}, False)  # type: ignore[dict-item]
    elsewhere = status(nodes, [lib, primitive("vm", "node3")])
    (found,) = placement.runs_without_clone(facts(xml, elsewhere))
    assert [o.id for o in found.objects][:2] == ["vm", "node3"]
    beside = status(nodes, [lib, primitive("vm", "node2")])
    assert list(placement.runs_without_clone(facts(xml, beside))) == []
    optional = cib_xml(
        clone_xml("lib-clone", "lib") + dummy("vm"), order("lib-clone", "vm", kind="Optional")
    )
    assert list(placement.runs_without_clone(facts(optional, elsewhere))) == []


# --- fencing and quorum ------------------------------------------------------------------


def test_fencing_disabled_offers_enabling_only_with_a_device() -> None:
    off = {"stonith-enabled": "false"}
    (with_device,) = cluster.fencing_disabled(facts(cib_xml(FENCE, options=off)))
    assert with_device.severity == Severity.CRITICAL
    assert with_device.fix is not None
    assert with_device.fix.body == {"name": "stonith-enabled", "value": "true"}
    (without,) = cluster.fencing_disabled(facts(cib_xml(options=off)))
    assert without.fix is None
    assert "No fence device is configured" in without.detail
    assert list(cluster.fencing_disabled(facts(cib_xml(FENCE)))) == []


def topology(index: int, target: str, devices: str) -> str:
    level = f'<fencing-level id="l{index}" index="{index}" target="{target}" devices="{devices}"/>'
    return f"<fencing-topology>{level}</fencing-topology>"


def test_a_node_no_device_claims_is_not_fenceable_unless_a_level_covers_it() -> None:
    xml = cib_xml(FENCE)
    claims = {"node1": ("f1",), "node2": ("f1",), "node3": ()}
    (found,) = cluster.node_not_fenceable(facts(xml, claims=claims))
    assert [(o.kind, o.id) for o in found.objects] == [("node", "node3")]
    covered = cib_xml(FENCE, extra=topology(1, "node3", "f1"))
    assert list(cluster.node_not_fenceable(facts(covered, claims=claims))) == []
    everyone = dict(claims, node3=("f1",))
    assert list(cluster.node_not_fenceable(facts(xml, claims=everyone))) == []
    assert list(cluster.node_not_fenceable(facts(xml))) == []  # the fencer was not asked


def test_a_level_naming_a_missing_device() -> None:
    level = topology(2, "node2", "f1,gone")
    (found,) = cluster.level_unknown_device(facts(cib_xml(FENCE, extra=level)))
    assert "level 2 of node2 uses gone" in found.detail
    good = topology(2, "node2", "f1")
    assert list(cluster.level_unknown_device(facts(cib_xml(FENCE, extra=good)))) == []


def test_two_node_with_wait_for_all_turned_off() -> None:
    xml = cib_xml(FENCE, nodes=2)
    off = {"quorum.two_node": "1", "quorum.wait_for_all": "0"}
    (found,) = cluster.two_node_without_wait_for_all(facts(xml, quorum=off))
    assert found.severity == Severity.WARNING
    assert found.fix is None
    # two_node turns wait_for_all on unless it is set to 0 (votequorum(5))
    default = {"quorum.two_node": "1"}
    assert list(cluster.two_node_without_wait_for_all(facts(xml, quorum=default))) == []
    on = {"quorum.two_node": "1", "quorum.wait_for_all": "1"}
    assert list(cluster.two_node_without_wait_for_all(facts(xml, quorum=on))) == []


def test_no_quorum_policy_ignore_on_three_nodes_not_on_two() -> None:
    ignore = {"no-quorum-policy": "ignore"}
    (found,) = cluster.no_quorum_policy_ignore(facts(cib_xml(FENCE, options=ignore)))
    assert found.fix is not None
    assert found.fix.body == {"name": "no-quorum-policy", "value": "stop"}
    gfs2 = (
        '<primitive id="fs" class="ocf" provider="heartbeat" type="Filesystem">'
        f'<instance_attributes id="fs-ia">{nv("fstype", "gfs2")}</instance_attributes></primitive>'
    )
    (freeze,) = cluster.no_quorum_policy_ignore(facts(cib_xml(FENCE + gfs2, options=ignore)))
    assert freeze.fix is not None
    assert freeze.fix.body == {"name": "no-quorum-policy", "value": "freeze"}
    two = cib_xml(FENCE, options=ignore, nodes=2)
    assert list(cluster.no_quorum_policy_ignore(facts(two))) == []
    assert list(cluster.no_quorum_policy_ignore(facts(cib_xml(FENCE)))) == []


# --- leftovers and failures ----------------------------------------------------------------


def location(cid: str, rid: str, node_name: str, score: str) -> str:
    return (
        f'<rsc_location id="{cid}" rsc="{rid}" role="Started" node="{node_name}" score="{score}"/>'
    )


def test_cli_constraints_with_their_age() -> None:
    ban = location("cli-ban-web-on-node2", "web", "node2", "-INFINITY")
    prefer = location("cli-prefer-db", "db", "node1", "INFINITY")
    mine = '<rsc_location id="location-web" rsc="web" node="node3" score="50"/>'
    xml = cib_xml(dummy("web") + dummy("db"), ban + prefer + mine)
    since = {
        "cli-ban-web-on-node2": Since(
            NOW - datetime.timedelta(days=2, hours=3),
            "made by alice through the console, operation #12",
        )
    }
    found = list(cluster.cli_constraint_left(facts(xml, since=since)))
    assert [f.objects[0].id for f in found] == ["cli-ban-web-on-node2", "cli-prefer-db"]
    assert "keeps web off node2" in found[0].detail
    assert "since 2026-11-25 15:30 UTC (2 d 3 h; made by alice" in found[0].detail
    assert "is not known" in found[1].detail
    assert found[0].as_dict(3)["fix"] == {
        "method": "DELETE",
        "path": "/api/v1/clusters/3/constraints/cli-ban-web-on-node2/",
        "body": None,
        "summary": "delete constraint cli-ban-web-on-node2",
        "permission": "administer",
    }
    assert list(cluster.cli_constraint_left(facts(cib_xml(dummy("web"), mine)))) == []


def record(rid: str, node_name: str, fails: int, threshold: int | None) -> OperationRecord:
    return OperationRecord(
        node=node_name,
        resource=rid,
        task="monitor",
        call=9,
        interval_ms=10000,
        rc=7,
        rc_text="not running",
        last_rc_change=None,
        exec_time_ms=1,
        queue_time_ms=0,
        fail_count=fails,
        migration_threshold=threshold,
    )


def test_failcount_at_threshold_from_crm_mon_or_the_configuration() -> None:
    xml = cib_xml(dummy("web"))
    at = replace(THREE, history=(record("web", "node2", 3, 3),))
    (found,) = cluster.failcount_at_threshold(facts(xml, at))
    assert [o.id for o in found.objects] == ["web", "node2"]
    assert found.fix is not None
    assert (found.fix.path, found.fix.permission) == ("resources/web/cleanup/", "operate")
    below = replace(THREE, history=(record("web", "node2", 2, 3),))
    assert list(cluster.failcount_at_threshold(facts(xml, below))) == []
    configured = cib_xml(
        '<clone id="web-clone">'
        + dummy("web")
        + f'<meta_attributes id="m">{nv("migration-threshold", "2")}</meta_attributes></clone>'
    )
    unknown = replace(THREE, history=(record("web:1", "node1", 2, None),))
    (from_meta,) = cluster.failcount_at_threshold(facts(configured, unknown))
    assert "migration-threshold (2)" in from_meta.detail
    infinite = replace(THREE, history=(record("web", "node1", 1_000_000, 1_000_000),))
    (start_failed,) = cluster.failcount_at_threshold(facts(xml, infinite))
    assert "fail count of INFINITY" in start_failed.detail


def test_promoted_max_over_one_for_single_primary_agents() -> None:
    pgsql = 'class="ocf" provider="heartbeat" type="pgsql"'
    meta = nv("promotable", "true") + nv("promoted-max", "2")
    (found,) = cluster.promoted_max_single_primary(
        facts(cib_xml(clone_xml("pg-clone", "pg", meta, pgsql)))
    )
    assert found.severity == Severity.CRITICAL
    assert found.fix is not None
    assert (found.fix.path, found.fix.body) == (
        "resources/pg-clone/update/",
        {"meta": {"promoted-max": "1"}},
    )
    legacy = nv("promotable", "true") + nv("master-max", "2")
    other = 'class="ocf" provider="acme" type="thing"'
    (unknown,) = cluster.promoted_max_single_primary(
        facts(cib_xml(clone_xml("t-clone", "t", legacy, other)))
    )
    assert unknown.severity == Severity.WARNING
    assert unknown.fix is not None
    assert unknown.fix.body == {"meta": {"master-max": "1"}}
    for fine in (
        clone_xml("pg-clone", "pg", nv("promotable", "true") + nv("promoted-max", "1"), pgsql),
        clone_xml("d-clone", "d", meta, 'class="ocf" provider="linbit" type="drbd"'),
        clone_xml("s-clone", "s", meta, 'class="ocf" provider="pacemaker" type="Stateful"'),
    ):
        assert list(cluster.promoted_max_single_primary(facts(cib_xml(fine)))) == []


def test_every_rule_is_listed_once_and_findings_come_critical_first() -> None:
    assert len(set(RULES)) == len(RULES)
    off = {"stonith-enabled": "false", "no-quorum-policy": "ignore"}
    xml = cib_xml(dummy("db") + dummy("app"), order("db", "app"), options=off)
    found = advise(facts(xml))
    assert [f.severity for f in found] == sorted(
        (f.severity for f in found), key=[Severity.CRITICAL, Severity.WARNING, Severity.INFO].index
    )
    assert rules(found) == [
        "fencing_disabled",
        "no_quorum_policy_ignore",
        "order_without_colocation",
    ]
