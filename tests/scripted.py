"""A scripted runner: what the executor and the watcher are unit-tested on, without SSH.

`ScriptedRunner` implements hacore.runner.Runner. It holds, per node address, the exact
argv sequence the code under test must run, each with the output to answer (recorded
from real nodes: tests/fixtures/). A command that is not the next one expected on that
node fails the test at once with both argv; `assert_done()` fails if some expected
command never ran. Streams (the watcher's log follower) are queues the test feeds.
Nodes can be made unreachable (connect raises ConnectError) or can drop a command.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from hacore.runner import CommandResult, CommandTimeout, ConnectError, Runner, Target

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(relative: str) -> str:
    """The text of tests/fixtures/RELATIVE."""
    return (FIXTURES / relative).read_text()


class Unexpected(AssertionError):
    """The code under test ran another command than the script says."""


@dataclass(frozen=True)
class Expect:
    """One expected command and its answer (drop: the connection is lost instead; hang:
    it does not end within its timeout)."""

    argv: tuple[str, ...]
    stdout: str = ""
    stderr: str = ""
    exit_status: int = 0
    stdin: str | None = None
    drop: bool = False
    hang: bool = False


def expect(*argv: str, out: str = "", err: str = "", status: int = 0, **kw: object) -> Expect:
    """Expect(argv, ...) with argv as arguments: expect("crm_mon", "--one-shot", out=xml)."""
    return Expect(tuple(argv), out, err, status, **kw)  # type: ignore[arg-type]


@dataclass
class Node:
    """What one scripted node expects, what it streams, whether it answers."""

    script: deque[Expect] = field(default_factory=deque)
    stream: asyncio.Queue[str | None] = field(default_factory=asyncio.Queue)
    reachable: bool = True
    ran: list[tuple[str, ...]] = field(default_factory=list)


class ScriptedRunner:
    """A Runner that answers each node's expected commands in order (see module doc)."""

    def __init__(self) -> None:
        self.nodes: dict[str, Node] = {}
        self.opened = 0
        self.closed = 0

    def node(self, address: str) -> Node:
        """The scripted node at address (made on first use)."""
        return self.nodes.setdefault(address, Node())

    def script(self, address: str, *steps: Expect) -> ScriptedRunner:
        """Append expected commands for the node at address."""
        self.node(address).script.extend(steps)
        return self

    def feed(self, address: str, *lines: str) -> None:
        """Lines the node's stream yields next (None ends the stream)."""
        for line in lines:
            self.node(address).stream.put_nowait(line)

    def end_stream(self, address: str) -> None:
        """End the node's stream (the node went away)."""
        self.node(address).stream.put_nowait(None)

    def assert_done(self) -> None:
        """Every expected command ran."""
        left = {a: [" ".join(e.argv) for e in n.script] for a, n in self.nodes.items() if n.script}
        assert not left, f"expected commands that never ran: {left}"

    async def connect(self, target: Target) -> None:
        """ConnectError for an unreachable node."""
        if not self.node(target.address).reachable:
            raise ConnectError(target.label, "cannot connect: scripted as unreachable")
        self.opened += 1

    async def run(
        self,
        target: Target,
        argv: Sequence[str],
        timeout: float | None = None,
        stdin: str | None = None,
    ) -> CommandResult:
        """The next expected command's answer, if argv is that command."""
        await self.connect(target)
        node = self.node(target.address)
        ran = tuple(argv)
        node.ran.append(ran)
        if not node.script:
            raise Unexpected(f"{target.address}: unexpected {ran}: nothing more was expected")
        step = node.script.popleft()
        if step.argv != ran:
            raise Unexpected(f"{target.address}: ran {ran}, expected {step.argv}")
        if step.stdin is not None and step.stdin != stdin:
            raise Unexpected(f"{target.address}: {ran[0]} got stdin {stdin!r}, not {step.stdin!r}")
        if step.drop:
            raise ConnectError(target.label, "connection lost: scripted drop")
        if step.hang:
            raise CommandTimeout(target.label, f"{ran[0]}: no answer within {timeout} s")
        return CommandResult(target.address, ran, step.exit_status, step.stdout, step.stderr, 0.0)

    async def stream(self, target: Target, argv: Sequence[str]) -> AsyncIterator[str]:
        """The lines fed to the node, until None."""
        await self.connect(target)
        node = self.node(target.address)
        node.ran.append(tuple(argv))
        while (line := await node.stream.get()) is not None:
            yield line
        raise ConnectError(target.label, f"{argv[0]} stream ended")

    async def close(self) -> None:
        """Count the close (the code under test must close what it opens)."""
        self.closed += 1

    async def __aenter__(self) -> Runner:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


def target(address: str) -> Target:
    """A target for a scripted node (the key and host key are never used)."""
    return Target(address, "root", "unused", None)


async def until(check: Callable[[], object], task: asyncio.Task[None], timeout: float = 3) -> None:
    """Wait until check() is true, failing early if the task under test died."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        if task.done():
            task.result()
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.01)
