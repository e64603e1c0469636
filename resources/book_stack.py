"""The book's stack as a guided setup: the form checked (hacore.book), the cluster read
(its CIB, and DRBD's configuration of the resource with `drbdadm dump-xml` on a node),
the book's rules checked against both, then one staged change (every resource, order,
colocation) that is planned with crm_simulate and pushed at once like any other."""

from __future__ import annotations

from typing import Any

from hacore.book import BookStack
from hacore.commands import virt
from hacore.drbdconf import DrbdConfig, parse_dump_xml
from hacore.errors import ConsoleError
from hacore.pacemaker.cib import Cib, parse_cib
from hacore.pacemaker.xmlsafe import ParseError
from operations import engine
from operations.change import ADMINISTER, Body, Change
from operations.directory import ClusterRef
from operations.errors import OperationError
from operations.executor import NodeSession

UNCHECKED = (
    "crm_simulate shows the first transition only: DRBD's instances start where the "
    "constraints allow. The DRBD agent then sets its promotion scores (crm_master) on "
    "nodes whose disk is UpToDate, which no simulation of the configuration can see; the "
    "promotions and every layer above follow in the transitions after that."
)


class BookRulesBroken(ConsoleError):
    """The cluster does not meet what the book states: nothing was changed."""

    code = "book_rules"
    http_status = 422

    def __init__(self, problems: list[str]) -> None:
        super().__init__("the book's stack cannot be set up here: " + "; ".join(problems))
        self.problems = problems

    def extra(self) -> dict[str, Any]:
        """Each problem on its own."""
        return {"problems": self.problems}


def _read(cluster: ClusterRef, user: Any, res: str) -> tuple[Cib, list[DrbdConfig]]:
    async def work(session: NodeSession) -> tuple[Cib, list[DrbdConfig]]:
        xml = await session.query_cib()
        dumped = await session.run(virt.drbd_dump_xml(res), check=False)
        try:
            return parse_cib(xml), parse_dump_xml(dumped.stdout) if dumped.ok else []
        except ParseError as exc:
            raise OperationError(f"unreadable CIB or DRBD configuration: {exc}") from exc

    return engine.run_recorded(cluster, user, "read.book", "read the CIB and DRBD", work)


def book_stack(cluster: ClusterRef, user: Any, body: Body) -> Change:
    """The whole stack as one staged change; BookRulesBroken with every problem found."""
    stack = BookStack.from_body(body)
    cib, drbd = _read(cluster, user, stack.drbd_resource)
    problems = stack.rules(cib, drbd)
    if problems:
        raise BookRulesBroken(problems)
    return Change(
        "setup.book-stack",
        stack.vm,
        f"set up the book's stack for {stack.vm} on DRBD {stack.drbd_resource} "
        f"({', '.join(stack.nodes)})",
        ADMINISTER,
        stage=tuple(stack.commands([n.uname for n in cib.nodes])),
        unchecked=UNCHECKED,
    )
