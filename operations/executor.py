"""Running a Change on a node: stage on a copy of the CIB, simulate, push as a diff.

    mktemp -d -t haconsole.XXXXXXXX a private directory on the node
    cibadmin --query                the live CIB, then (tee, on stdin) written to
    tee -- D/orig.xml D/new.xml     orig.xml, kept to diff against, and new.xml
    pcs -f D/new.xml ...            the change, on the copy (or a C tool with
    env CIB_file=D/new.xml TOOL ... CIB_file where it writes exactly what pcs would)
    crm_simulate ... D/new.xml      what Pacemaker would do (plans only)
    crm_diff -o D/orig.xml -n D/new.xml --no-version | cibadmin --patch --xml-pipe
                                    only the difference is pushed (two commands, the
                                    patch passed on stdin: what pcs cluster cib-push
                                    diff-against= runs), so a concurrent change
                                    elsewhere in the CIB is not overwritten

Every command goes through the injected runner (hacore.runner.Runner) and is reported
to `on_step` as it ends. Command lines come from hacore.commands.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from hacore.commands import pacemaker, pcs, shell
from hacore.pacemaker.cib import cib_version, configuration_diff, parse_cib
from hacore.pacemaker.simulate import PlannedAction, parse_simulation
from hacore.runner import CommandResult, Runner, Target
from operations import holds
from operations.change import UPLOAD, Change
from operations.errors import CibMoved, CommandFailed, OperationError

LONG_COMMAND = 300.0  # seconds for commands that wait: a move, a restart, crm_report
_TMPDIR = re.compile(r"(/[A-Za-z0-9._-]+)*/haconsole\.[A-Za-z0-9]{8}")
Step = dict[str, Any]


@dataclass
class NodeSession:
    """Commands on one node, each reported to on_step as it ends."""

    runner: Runner
    target: Target
    on_step: Callable[[Step], Awaitable[None]]
    on_base: Callable[[str], Awaitable[None]] | None = None
    node: str = ""
    peers: dict[str, Target] = field(default_factory=dict)

    def peer(self, node: str) -> NodeSession:
        """This session on another node of the cluster (its steps recorded alike)."""
        if node in ("", self.node):
            return self
        if node not in self.peers:
            raise OperationError(f"{node} cannot be reached from the console (no trusted host key)")
        return NodeSession(self.runner, self.peers[node], self.on_step, None, node, self.peers)

    async def staged_on(self, base: str) -> None:
        """Report the CIB version a change is about to be made on (before it is made)."""
        if self.on_base is not None:
            await self.on_base(base)

    async def run(
        self,
        argv: Sequence[str],
        check: bool = True,
        cib: bool = False,
        timeout: float | None = None,
        stdin: str | None = None,
    ) -> CommandResult:
        """Run argv; CommandFailed if it exits non-zero and check is set.

        cib: the output is a whole CIB (or another large file), recorded by its size only.
        timeout: seconds, instead of the pool's command timeout (commands that wait).
        stdin: text sent to the command's standard input.
        """
        started = time.monotonic()
        result = await self.runner.run(self.target, argv, timeout=timeout, stdin=stdin)
        shown = result.stdout
        if cib and result.ok:
            shown = f"({len(result.stdout)} characters, not kept here)\n"
        await self.on_step(
            {
                "node": self.node,
                "argv": list(result.argv),
                "exit_status": result.exit_status,
                "stdout": shown,
                "stderr": result.stderr,
                "duration": round(time.monotonic() - started, 3),
            }
        )
        if check and not result.ok:
            raise CommandFailed(result)
        return result

    async def query_cib(self) -> str:
        """The whole live CIB (cibadmin --query), recorded by its size only: it holds the
        fence devices' secrets."""
        return (await self.run(pacemaker.CIB_QUERY, cib=True)).stdout

    async def version(self) -> str:
        """The live CIB's admin_epoch:epoch."""
        return cib_version((await self.run(pacemaker.CIB_VERSION)).stdout)


@dataclass(frozen=True)
class Staged:
    """A change applied to a copy of the CIB, in a directory on the node."""

    directory: str
    before: str
    after: str

    @property
    def orig(self) -> str:
        """The copy of the live CIB."""
        return f"{self.directory}/orig.xml"

    @property
    def new(self) -> str:
        """The changed copy."""
        return f"{self.directory}/new.xml"

    @property
    def base(self) -> str:
        """The version the change was staged on."""
        return cib_version(self.before)

    @property
    def diff(self) -> str:
        """The configuration diff of the change."""
        return configuration_diff(self.before, self.after)


@dataclass(frozen=True)
class PlanResult:
    """What a plan found: the base version, Pacemaker's actions and the diff."""

    base: str
    actions: tuple[PlannedAction, ...]
    diff: str


@dataclass(frozen=True)
class ApplyResult:
    """The CIB versions around an applied change, the configuration diff, and the
    patchset that would undo it (pushed changes only)."""

    before: str
    after: str
    diff: str
    revert_patch: str = ""


async def plan(session: NodeSession, change: Change) -> PlanResult:
    """Try the change on a copy and simulate it; the cluster is not touched. A change
    with a hold is also checked as its live command will check it (operations/holds.py)."""
    async with scratch(session) as directory:
        staged = await _stage(session, change, directory)
        after = f"{directory}/after.xml" if change.hold else ""
        simulated = await session.run(pacemaker.simulate(staged.new, change.simulate, after))
        actions = parse_simulation(simulated.stdout)
        if not change.hold:
            return PlanResult(staged.base, actions, staged.diff)
        members = parse_cib(staged.after).members(change.hold.resource)
        await holds.check(session, change.hold, actions, after, members)
        # What stays once the temporary part is cleared: the change's net diff.
        net = (await session.run(shell.cat(after), cib=True)).stdout
        return PlanResult(staged.base, actions, configuration_diff(staged.before, net))


async def apply(session: NodeSession, change: Change, expected: str | None) -> ApplyResult:
    """Make the change on the cluster; if expected is given, only on that CIB version."""
    if change.live:
        return await _apply_live(session, change, expected)
    async with scratch(session) as directory:
        staged = await _stage(session, change, directory)
        _check_base(expected, staged.base)
        revert = await _reverse_patch(session, staged)
        await session.staged_on(staged.base)
        await _push(session, staged)
    return ApplyResult(staged.base, await session.version(), staged.diff, revert)


async def _apply_live(session: NodeSession, change: Change, expected: str | None) -> ApplyResult:
    """The live commands between two reads of the CIB, where the node has one (without:
    pcs's own exit status is the evidence, and the base version is not checked)."""
    before = ""
    if change.reads_before:
        before = await session.query_cib()
        _check_base(expected, cib_version(before))
        await session.staged_on(cib_version(before))
    await _run_live(session, change)
    if not (change.reads_before and change.reads_after):
        return ApplyResult(cib_version(before) if before else "", "", "")
    after = await session.query_cib()
    return ApplyResult(cib_version(before), cib_version(after), configuration_diff(before, after))


async def _push(session: NodeSession, staged: Staged) -> None:
    """Push only the difference (as `pcs cluster cib-push diff-against` does: crm_diff,
    then cibadmin --patch), so what changed elsewhere since the copy stays."""
    patch = await _patch(session, pacemaker.forward_patch(staged.orig, staged.new))
    if patch:
        await session.run(pacemaker.PATCH_STDIN, stdin=patch)


async def _reverse_patch(session: NodeSession, staged: Staged) -> str:
    """The patchset from the changed copy back to the original."""
    return await _patch(session, pacemaker.reverse_patch(staged.new, staged.orig))


async def _patch(session: NodeSession, crm_diff: Sequence[str]) -> str:
    """crm_diff's patchset ("" when the two files do not differ: exit 0; exit 1 means
    they differ; anything else is a failure)."""
    result = await session.run(crm_diff, check=False)
    if result.exit_status not in (0, 1):
        raise CommandFailed(result)
    return result.stdout if result.exit_status == 1 else ""


async def _run_live(session: NodeSession, change: Change) -> None:
    """The live commands; an argument "{upload}" is the change's upload, as a file."""
    if not change.upload:
        nodes = change.where or ("",) * len(change.live)
        for node, argv in zip(nodes, change.live, strict=True):
            # pcs may wait for the cluster
            await session.peer(node).run(argv, timeout=LONG_COMMAND)
        return
    async with scratch(session) as directory:
        path = f"{directory}/upload"
        await session.run(shell.write_stdin_base64(path), stdin=change.upload)
        for argv in change.live:
            await session.run([path if a == UPLOAD else a for a in argv], timeout=LONG_COMMAND)


def _check_base(expected: str | None, found: str) -> None:
    if expected is not None and expected != found:
        raise CibMoved(expected, found)


@contextlib.asynccontextmanager
async def scratch(session: NodeSession) -> AsyncIterator[str]:
    """A private directory on the node (mktemp -d), removed afterwards whatever happens."""
    made = (await session.run(shell.MKTEMP)).stdout.strip()
    if not _TMPDIR.fullmatch(made):
        raise OperationError(f"mktemp gave an unexpected path {made[:80]!r}")
    try:
        yield made
    finally:
        await session.run(shell.remove_tree(made), check=False)


async def _stage(session: NodeSession, change: Change, directory: str) -> Staged:
    """The live CIB (cibadmin --query) written to orig.xml and new.xml, the change made on
    new.xml: pcs tails with `pcs -f`, C tool steps (pacemaker.on_copy) with CIB_file."""
    staged = Staged(directory, "", "")
    before = await session.query_cib()
    await session.run(shell.write_stdin(staged.orig, staged.new), cib=True, stdin=before)
    if change.patch:
        await session.run(pacemaker.apply_patch(staged.new, change.patch))
    for step in change.stage:
        await session.run(_on_copy(staged.new, step))
    after = (await session.run(shell.cat(staged.new), cib=True)).stdout
    return Staged(directory, before, after)


def _on_copy(path: str, step: Sequence[str]) -> Sequence[str]:
    """A staged step as run on the copy at path."""
    marker = pacemaker.on_copy(())
    if tuple(step[: len(marker)]) == marker:
        return pacemaker.on_cib_file(path, tuple(step[len(marker) :]))
    return pcs.on_file(path, tuple(step))


async def tarball(
    session: NodeSession,
    stem: str,
    argv_for: Callable[[str], Sequence[str]],
    timeout: float | None = None,
) -> str:
    """Run argv_for(DIR/stem) in a private directory; the DIR/stem.tar.bz2 it made, base64."""
    async with scratch(session) as directory:
        await session.run(argv_for(f"{directory}/{stem}"), timeout=timeout)
        return (await session.run(shell.base64_of(f"{directory}/{stem}.tar.bz2"), cib=True)).stdout
