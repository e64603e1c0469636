"""A failed read is a failure: crm_mon's <errors>, a missing <summary>, no node, a document
that is not crm_mon's, each refused with crm_mon's own words, never an empty cluster.

Fixtures in tests/fixtures/crm_mon/unreadable/ are crm_mon 2.1.5's real output for each
case (the comment at their top says how each was made).
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from hacore.commands.pacemaker import CRM_MON_XML
from hacore.errors import BadGateway
from hacore.pacemaker.status import StatusUnreadable, parse_crm_mon
from hacore.pacemaker.status_result import unreadable_from_output
from hacore.pacemaker.xmlsafe import ParseError
from hacore.reads import ReadFailed, read_status
from hacore.runner import CommandResult
from tests.crmmon import FIXTURES, crm_mon_doc

UNREADABLE = FIXTURES / "crm_mon" / "unreadable"
ALL_ONLINE = (FIXTURES / "crm_mon" / "all_online.xml").read_text()
NO_CIB = "Could not connect to the CIB: No such device or address"


def unreadable(name: str) -> str:
    """The text of tests/fixtures/crm_mon/unreadable/NAME.xml."""
    return (UNREADABLE / f"{name}.xml").read_text()


def test_missing_cib_file_is_unreadable_with_crm_mons_words() -> None:
    with pytest.raises(StatusUnreadable, match=r"^crm_mon could not read the cluster") as caught:
        parse_crm_mon(unreadable("missing_cib_file"))
    exc = caught.value
    assert str(exc) == (
        f"crm_mon could not read the cluster status: {NO_CIB} (crm_mon status 0: OK)"
    )
    assert (exc.errors, exc.reason) == ((NO_CIB,), NO_CIB)
    assert (exc.crm_mon_status, exc.status_message, exc.exit_status) == (0, "OK", None)
    assert exc.pacemakerd is None
    assert (exc.code, exc.http_status) == ("status_unreadable", 502)
    assert exc.describe() == str(exc)
    assert exc.extra() == {"errors": [NO_CIB], "crm_mon_status": 0, "exit_status": None}
    assert isinstance(exc, ParseError)
    assert isinstance(exc, BadGateway)
    assert parse_crm_mon(ALL_ONLINE).nodes  # the control: a read that worked


def test_unknown_schema_is_unreadable() -> None:
    with pytest.raises(
        StatusUnreadable,
        match="Could not connect to the CIB: Update does not conform to the configured schema",
    ):
        parse_crm_mon(unreadable("unknown_schema"))
    assert parse_crm_mon(ALL_ONLINE).summary.dc_version  # a CIB crm_mon could read


def test_no_node_is_unreadable_not_an_empty_cluster() -> None:
    with pytest.raises(StatusUnreadable, match=r"status: crm_mon lists no node \(crm_mon status 0"):
        parse_crm_mon(unreadable("no_node"))
    assert len(parse_crm_mon(crm_mon_doc()).nodes) == 1


def test_errors_win_over_a_complete_looking_result() -> None:
    errors = "<errors><error>crm_mon: something went wrong</error></errors></status>"
    xml = ALL_ONLINE.replace(
        '<status code="0" message="OK"/>', f'<status code="0" message="OK">{errors}'
    )
    assert xml != ALL_ONLINE
    with pytest.raises(StatusUnreadable, match="status: crm_mon: something went wrong"):
        parse_crm_mon(xml)
    parse_crm_mon(ALL_ONLINE)


def test_no_summary_is_unreadable() -> None:
    start, end = ALL_ONLINE.index("<summary>"), ALL_ONLINE.index("</summary>")
    xml = ALL_ONLINE[:start] + ALL_ONLINE[end + len("</summary>") :]
    with pytest.raises(StatusUnreadable, match="no <summary> in crm_mon's result"):
        parse_crm_mon(xml)
    assert parse_crm_mon(ALL_ONLINE).summary.nodes_configured == 3


def test_pacemakerd_not_running_is_in_the_message() -> None:
    xml = unreadable("no_node").replace(
        "<summary>", '<pacemakerd sys_from="pacemakerd" state="shutting_down"/><summary>'
    )
    with pytest.raises(StatusUnreadable, match=r"lists no node .*; pacemakerd shutting_down") as c:
        parse_crm_mon(xml)
    assert c.value.pacemakerd == "shutting_down"
    running = unreadable("no_node").replace("<summary>", '<pacemakerd state="running"/><summary>')
    with pytest.raises(StatusUnreadable, match=r"lists no node \(crm_mon status 0: OK\)$"):
        parse_crm_mon(running)


@pytest.mark.parametrize(
    "request_attr",
    ['request="crm_simulate --xml-file - --simulate"', 'request="crm_resource --list"', ""],
)
def test_a_document_that_is_not_crm_mons_is_refused(request_attr: str) -> None:
    xml = crm_mon_doc().replace(
        'request="crm_mon --one-shot --inactive --output-as=xml"', request_attr
    )
    with pytest.raises(ParseError, match="not crm_mon's output"):
        parse_crm_mon(xml)


@pytest.mark.parametrize(
    "request_attr",
    [
        'request="crm_mon --one-shot --inactive --output-as=xml"',
        'request="/usr/sbin/crm_mon --one-shot --inactive --output-as xml"',
        'request="crm_mon"',
    ],
)
def test_crm_mons_own_requests_are_read(request_attr: str) -> None:
    xml = crm_mon_doc().replace(
        'request="crm_mon --one-shot --inactive --output-as=xml"', request_attr
    )
    assert parse_crm_mon(xml).nodes[0].name == "node1"


# --- read_status: exit status and crm_mon's words together ------------------------------


class OneAnswer:
    """A session that answers crm_mon once, as scripted."""

    def __init__(self, stdout: str, exit_status: int = 0, stderr: str = "") -> None:
        self.answer = (stdout, exit_status, stderr)

    async def run(self, argv: Sequence[str]) -> CommandResult:
        """The scripted answer; the command must be crm_mon's status read."""
        assert tuple(argv) == tuple(CRM_MON_XML)
        stdout, exit_status, stderr = self.answer
        return CommandResult("node1", tuple(argv), exit_status, stdout, stderr, 0.0)


async def test_read_status_not_connected_gives_crm_mons_words_and_exit_status() -> None:
    with pytest.raises(StatusUnreadable, match=r"Connection to cluster failed") as caught:
        await read_status(OneAnswer(unreadable("not_connected"), exit_status=102))
    exc = caught.value
    assert exc.errors == (
        "error: Could not connect to launcher: Connection refused",
        "crm_mon: Connection to cluster failed: Connection refused",
    )
    assert (exc.crm_mon_status, exc.status_message, exc.exit_status) == (
        102,
        "Not connected",
        102,
    )
    assert str(exc) == (
        "crm_mon could not read the cluster status: error: Could not connect to launcher: "
        "Connection refused; crm_mon: Connection to cluster failed: Connection refused "
        "(crm_mon status 102: Not connected; exit status 102)"
    )
    status = await read_status(OneAnswer(ALL_ONLINE))
    assert status.dc == "node2"


async def test_read_status_exit_0_with_errors_is_unreadable() -> None:
    with pytest.raises(StatusUnreadable, match=f"{NO_CIB}") as caught:
        await read_status(OneAnswer(unreadable("missing_cib_file")))
    assert caught.value.exit_status is None


@pytest.mark.parametrize(
    ("stdout", "exit_status", "stderr", "message"),
    [
        ("", 127, "sh: crm_mon: not found", "crm_mon is not installed"),
        ("", 1, "crm_mon: killed", "crm_mon failed: crm_mon: killed"),
        ("garbage", 1, "", "crm_mon failed: garbage"),
        (crm_mon_doc().replace("crm_mon --one", "crm_simulate --one"), 1, "", "crm_mon failed"),
    ],
)
async def test_read_status_failures_without_crm_mons_xml_are_read_failed(
    stdout: str, exit_status: int, stderr: str, message: str
) -> None:
    with pytest.raises(ReadFailed, match=message):
        await read_status(OneAnswer(stdout, exit_status, stderr))
    assert (await read_status(OneAnswer(ALL_ONLINE, 0, stderr))).nodes


def test_unreadable_from_output_needs_crm_mons_reasons() -> None:
    assert unreadable_from_output("not xml", 1) is None
    assert unreadable_from_output("<pacemaker-result request='crm_mon'/>", 1) is None
    found = unreadable_from_output(unreadable("not_connected"), 102)
    assert found is not None
    assert found.exit_status == 102
    bare = "<pacemaker-result request='crm_mon'><status code='2' message='Bad'/></pacemaker-result>"
    only_status = unreadable_from_output(bare, 2)
    assert only_status is not None
    assert str(only_status) == (
        "crm_mon could not read the cluster status: crm_mon reported a failure "
        "(crm_mon status 2: Bad; exit status 2)"
    )
