"""Generated crm_mon XML for scale tests and benchmarks."""

from __future__ import annotations


def _primitive(rsc_id: str, node: str | None, role: str = "Started") -> str:
    running = f'<node name="{node}" id="{node}" cached="true"/>' if node else ""
    return (
        f'<resource id="{rsc_id}" resource_agent="ocf:heartbeat:Dummy" role="{role}" '
        f'active="{str(node is not None).lower()}" orphaned="false" blocked="false" '
        f'managed="true" failed="false" failure_ignored="false" '
        f'nodes_running_on="{1 if node else 0}">{running}</resource>'
    )


def large_crm_mon(
    nodes: int = 80, primitives: int = 150, groups: int = 40, clones: int = 20
) -> str:
    """crm_mon XML of a big cluster: NODES nodes, PRIMITIVES primitives, GROUPS groups of 3,
    CLONES anonymous clones with one instance per node (every 5th promotable), history and a
    failure for every 10th primitive."""
    names = [f"n{i:02d}" for i in range(nodes)]
    out = [
        '<pacemaker-result api-version="2.25" request="crm_mon">',
        '<summary><stack type="corosync"/>',
        '<current_dc present="true" version="2.1.5" name="n00" id="1" with_quorum="true"/>',
        f'<nodes_configured number="{nodes}"/>',
        f'<resources_configured number="{primitives + 3 * groups + clones * nodes}" '
        'disabled="0" blocked="0"/></summary><nodes>',
    ]
    out += [
        f'<node name="{n}" id="{i + 1}" online="true" standby="false" maintenance="false" '
        f'pending="false" unclean="false" shutdown="false" is_dc="{str(i == 0).lower()}" '
        f'resources_running="3" type="member"/>'
        for i, n in enumerate(names)
    ]
    out.append("</nodes><resources>")
    out += [_primitive(f"p_{i}", names[i % nodes]) for i in range(primitives)]
    for g in range(groups):
        out.append(f'<group id="g{g}" number_resources="3" managed="true" disabled="false">')
        out += [_primitive(f"g{g}_m{m}", names[g % nodes]) for m in range(3)]
        out.append("</group>")
    for c in range(clones):
        promotable = c % 5 == 0
        out.append(
            f'<clone id="c{c}-clone" multi_state="{str(promotable).lower()}" '
            'unique="false" managed="true" disabled="false" failed="false" '
            'failure_ignored="false">'
        )
        for i, n in enumerate(names):
            role = ("Promoted" if i == 0 else "Unpromoted") if promotable else "Started"
            out.append(_primitive(f"c{c}", n, role))
        out.append("</clone>")
    out.append("</resources><node_history>")
    for i in range(0, primitives, 10):
        out.append(
            f'<node name="{names[i % nodes]}"><resource_history id="p_{i}" orphan="false" '
            f'fail-count="1"><operation_history call="{i}" task="monitor" interval="10000ms" '
            'rc="7" rc_text="not running" last-rc-change="Wed Nov 25 14:58:11 2026" '
            'exec-time="3ms" queue-time="0ms"/></resource_history></node>'
        )
    out.append("</node_history><failures>")
    out += [
        f'<failure op_key="p_{i}_monitor_10000" node="{names[i % nodes]}" exitstatus="not '
        f'running" exitreason="" exitcode="7" call="{i}" status="complete" last-rc-change='
        f'"Wed Nov 25 14:58:11 2026" queued="0" exec="0" interval="10000" task="monitor"/>'
        for i in range(0, primitives, 10)
    ]
    out.append('</failures><status code="0" message="OK"/></pacemaker-result>')
    return "".join(out)
