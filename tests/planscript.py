"""What a plan runs on a node, for scripted-runner tests: the staging commands, the CIB
copies recorded from the lab, and crm_simulate answers for a move."""

from __future__ import annotations

from typing import Any

from tests.scripted import expect, fixture

NODE = "198.51.100.11"
D = "/tmp/haconsole.abcdefgh"
ORIG, NEW = f"{D}/orig.xml", f"{D}/new.xml"
# The CIB before and after a standby of node2, recorded on the lab.
BEFORE, AFTER = fixture("cib/all_online.xml"), fixture("cib/standby.xml")
VERSION_AFTER = '<cib admin_epoch="0" epoch="173" num_updates="0"/>'


COPY_MARK = ("env", "CIB_file={cib}")


def on_copy(step: tuple[str, ...]) -> Any:
    """A staged step as run on the copy: a C tool with CIB_file, or a pcs -f tail."""
    if step[:2] == COPY_MARK:
        return expect("env", f"CIB_file={NEW}", *step[2:])
    return expect("pcs", "-f", NEW, *step)


def staging(*change: tuple[str, ...], before: str = BEFORE, after: str = AFTER) -> list[Any]:
    """mktemp, the live CIB read and written to both copies, the change on the copy,
    the changed copy read back."""
    return [
        expect("mktemp", "-d", "-t", "haconsole.XXXXXXXX", out=f"{D}\n"),
        expect("cibadmin", "--query", out=before),
        expect("tee", "--", ORIG, NEW, stdin=before, out=before),
        *[on_copy(step) for step in change],
        expect("cat", "--", NEW, out=after),
    ]


def push(patch: str) -> list[Any]:
    """The push of the difference: crm_diff, then cibadmin --patch with it on stdin."""
    return [
        expect("crm_diff", "--original", ORIG, "--new", NEW, "--no-version", out=patch, status=1),
        expect("cibadmin", "--patch", "--xml-pipe", stdin=patch),
    ]


CLEANUP = expect("rm", "-rf", "--", D)


MOVED = """<pacemaker-result api-version="2.25" request="crm_simulate">
  <actions><rsc_action action="move" resource="dummy1" source="node2" dest="node1"/></actions>
  <status code="0" message="OK"/>
</pacemaker-result>"""
BACK = """<pacemaker-result api-version="2.25" request="crm_simulate">
  <actions><rsc_action action="move" resource="dummy1" source="node1" dest="node2"/></actions>
  <status code="0" message="OK"/>
</pacemaker-result>"""
STAYS = """<pacemaker-result api-version="2.25" request="crm_simulate">
  <status code="0" message="OK"/>
</pacemaker-result>"""
AFTER_FILE = f"{D}/after.xml"
SCORES = (
    "pcmk__primitive_assign: dummy1 allocation score on node1: 0\n"
    "pcmk__primitive_assign: dummy1 allocation score on node2: 0\n"
    "pcmk__primitive_assign: dummy2 allocation score on node2: 0\n"
)
