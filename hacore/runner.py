"""The runner: the only code in haconsole that talks to cluster nodes.

Commands are argv lists. They become one command line in exactly one place,
`command_line()`, with `shlex.join`, so every argument reaches the node's shell as
one word whatever it contains. Connections are pooled per node (one SSH connection,
many exec channels, at most `max_channels` at once since sshd's MaxSessions defaults
to 10), have keepalives, and every connect and every command has a timeout.

Host keys are pinned: a Target carries the one key the operator trusted, and a node
that presents any other key is refused with `HostKeyMismatch`. A Target without a
pinned key cannot be connected to at all; `fetch_host_key()` only reads a key so the
operator can decide whether to trust it.

This module knows nothing of Django: callers build Targets from their rows and record
events from the exceptions.
"""

from __future__ import annotations

import asyncio
import contextlib
import shlex
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import asyncssh

from hacore.errors import ConsoleError


class RemoteError(ConsoleError):
    """A command could not be run on a node (the message says why, for the operator)."""

    code = "unreachable"
    http_status = 502

    def __init__(self, host: str, message: str) -> None:
        super().__init__(f"{host}: {message}")
        self.host = host
        self.reason = message


class ConnectError(RemoteError):
    """The node refused or dropped the connection, or the address does not resolve."""


class ConnectTimeout(RemoteError):
    """The node did not answer within the connect timeout."""


class AuthenticationFailed(RemoteError):
    """The node refused the SSH key (wrong key or wrong user)."""


class HostKeyNotPinned(RemoteError):
    """No host key was trusted for this node yet: the operator must confirm one first."""


class HostKeyMismatch(RemoteError):
    """The node presented another host key than the pinned one: refused, never accepted."""

    code = "host_key_mismatch"
    http_status = 400

    def __init__(self, host: str, expected: str, actual: str | None) -> None:
        shown = actual or "unknown"
        super().__init__(
            host,
            f"host key changed: pinned {expected}, node presented {shown}; refusing to connect "
            "(if the node was reinstalled, trust its new key explicitly)",
        )
        self.expected = expected
        self.actual = actual


class CommandTimeout(RemoteError):
    """The command did not finish within its timeout (its channel was closed)."""


@dataclass(frozen=True)
class HostKey:
    """An SSH host public key: algorithm and base64 blob, as in a known_hosts line."""

    algorithm: str
    key_base64: str

    @classmethod
    def parse(cls, text: str) -> HostKey:
        """Read 'ALGORITHM BASE64 [comment]' (a .pub file or the tail of a known_hosts line)."""
        parts = text.split()
        if len(parts) < 2:
            raise ValueError("a host key is 'ALGORITHM BASE64', e.g. 'ssh-ed25519 AAAA...'")
        key = cls(parts[0], parts[1])
        key.fingerprint  # noqa: B018 - validates the blob
        return key

    @classmethod
    def from_ssh_key(cls, key: asyncssh.SSHKey) -> HostKey:
        """Convert a key that asyncssh read from a server."""
        return cls.parse(key.export_public_key("openssh").decode())

    @property
    def openssh(self) -> str:
        """'ALGORITHM BASE64', the form asyncssh and known_hosts files take."""
        return f"{self.algorithm} {self.key_base64}"

    @property
    def fingerprint(self) -> str:
        """OpenSSH's SHA256 fingerprint ('SHA256:...'), what `ssh-keygen -lf` prints."""
        try:
            return str(asyncssh.import_public_key(self.openssh).get_fingerprint("sha256"))
        except (asyncssh.KeyImportError, ValueError) as exc:
            raise ValueError(f"not a valid SSH public key: {exc}") from exc


@dataclass(frozen=True)
class Target:
    """Where and how to reach one node. `private_key` is the decrypted OpenSSH/PEM text."""

    address: str
    username: str
    private_key: str = field(repr=False)
    host_key: HostKey | None
    port: int = 22

    @property
    def label(self) -> str:
        """'user@address:port', for messages."""
        return f"{self.username}@{self.address}:{self.port}"


@dataclass(frozen=True)
class CommandResult:
    """What one command did: its argv, exit status, output and how long it took."""

    host: str
    argv: tuple[str, ...]
    exit_status: int
    stdout: str
    stderr: str
    duration: float

    @property
    def ok(self) -> bool:
        """True when the command exited 0."""
        return self.exit_status == 0


def command_line(argv: Sequence[str]) -> str:
    """Join argv into one shell command line: the one place where that happens.

    Every element stays one word for the remote shell, whatever it holds. A NUL byte
    cannot travel in an SSH exec request (the shell would cut the word there), so it
    is refused rather than silently truncated.
    """
    if isinstance(argv, str) or not argv:
        raise ValueError("a command is a non-empty list of arguments, not a string")
    for arg in argv:
        if not isinstance(arg, str):
            raise TypeError(f"command arguments must be strings, got {type(arg).__name__}")
        if "\x00" in arg:
            raise ValueError("command arguments cannot contain NUL bytes")
    return shlex.join(argv)


class Runner(Protocol):
    """What runs commands on nodes: the SSH pool here, a scripted fake in the tests.

    A non-zero exit is a result, not an exception; failing to reach the node raises a
    RemoteError. Use it as an async context manager, or close() it.
    """

    async def connect(self, target: Target) -> None:
        """Reach the node now (RemoteError if it cannot be reached)."""

    async def run(
        self,
        target: Target,
        argv: Sequence[str],
        timeout: float | None = None,
        stdin: str | None = None,
    ) -> CommandResult:
        """Run argv on the node and wait for it."""

    def stream(self, target: Target, argv: Sequence[str]) -> AsyncIterator[str]:
        """Run a long-lived argv and yield its output lines."""

    async def close(self) -> None:
        """Close every connection."""

    async def __aenter__(self) -> Runner:
        """Itself."""

    async def __aexit__(self, *exc: object) -> None:
        """close()."""


@dataclass(frozen=True)
class Session:
    """Commands on one node (node: its cluster name) through a runner."""

    runner: Runner
    target: Target
    node: str = ""

    async def run(
        self, argv: Sequence[str], timeout: float | None = None, stdin: str | None = None
    ) -> CommandResult:
        """Run argv on the node; a non-zero exit is a result."""
        return await self.runner.run(self.target, argv, timeout=timeout, stdin=stdin)


def _client_key(target: Target) -> asyncssh.SSHKey:
    try:
        return asyncssh.import_private_key(target.private_key)
    except (asyncssh.KeyImportError, ValueError) as exc:
        raise AuthenticationFailed(
            target.label, f"the SSH private key cannot be read: {exc}"
        ) from exc


async def fetch_host_key(address: str, port: int = 22, timeout: float = 5.0) -> HostKey:
    """Read the host key a node presents, without authenticating or trusting it."""
    label = f"{address}:{port}"
    try:
        key = await asyncio.wait_for(
            asyncssh.get_server_host_key(address, port, config=None), timeout
        )
    except TimeoutError:
        raise ConnectTimeout(label, f"no answer within {timeout:g} s") from None
    except (OSError, asyncssh.Error) as exc:
        raise ConnectError(label, f"cannot connect: {exc}") from exc
    if key is None:
        raise ConnectError(label, "the server presented no host key")
    return HostKey.from_ssh_key(key)


async def _open(target: Target, timeout: float, keepalive: float) -> asyncssh.SSHClientConnection:
    """Connect with the pinned host key only; translate failures into RemoteErrors."""
    if target.host_key is None:
        raise HostKeyNotPinned(target.label, "no trusted host key; confirm its fingerprint first")
    pinned = target.host_key
    try:
        return await asyncio.wait_for(
            asyncssh.connect(
                target.address,
                target.port,
                username=target.username,
                client_keys=[_client_key(target)],
                known_hosts=([asyncssh.import_public_key(pinned.openssh)], [], []),
                config=None,
                agent_path=None,
                password=None,
                preferred_auth="publickey",
                keepalive_interval=keepalive,
                keepalive_count_max=3,
            ),
            timeout,
        )
    except TimeoutError:
        raise ConnectTimeout(target.label, f"no answer within {timeout:g} s") from None
    except asyncssh.HostKeyNotVerifiable:
        actual = await _presented_fingerprint(target, timeout)
        raise HostKeyMismatch(target.label, pinned.fingerprint, actual) from None
    except asyncssh.PermissionDenied as exc:
        raise AuthenticationFailed(
            target.label, f"the node refused the SSH key for user {target.username!r}: {exc}"
        ) from exc
    except (OSError, asyncssh.Error) as exc:
        raise ConnectError(target.label, f"cannot connect: {exc}") from exc


async def _presented_fingerprint(target: Target, timeout: float) -> str | None:
    """The fingerprint of the key the node now presents (for the mismatch message)."""
    try:
        return (await fetch_host_key(target.address, target.port, timeout)).fingerprint
    except RemoteError:
        return None


class SshPool:
    """A pool of SSH connections, one per node, bound to the running event loop.

    Use one pool per event loop (a Celery task's `asyncio.run`, the monitor's loop) and
    close it when done: `async with SshPool() as pool: await pool.run(target, argv)`.
    """

    def __init__(
        self,
        connect_timeout: float = 5.0,
        command_timeout: float = 30.0,
        max_channels: int = 9,
        keepalive: float = 15.0,
    ) -> None:
        self.connect_timeout = connect_timeout
        self.command_timeout = command_timeout
        self.max_channels = max_channels
        self.keepalive = keepalive
        self._conns: dict[Target, asyncssh.SSHClientConnection] = {}
        self._used: dict[Target, float] = {}  # monotonic time of each connection's last use
        self._locks: dict[Target, asyncio.Lock] = {}
        self._slots: dict[tuple[str, int], asyncio.Semaphore] = {}

    async def __aenter__(self) -> SshPool:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def connect(self, target: Target) -> None:
        """Reach the node now (RemoteError if it cannot be): open the pooled connection,
        or check that the one already open still answers, and open a new one if not.

        A kept connection to a node that died looks open until its keepalives give up
        (3 intervals): without the check, a caller that moves on to the next node when
        one cannot be reached would instead send its first command into the void.
        """
        lock = self._locks.setdefault(target, asyncio.Lock())
        async with lock:
            conn = self._conns.get(target)
            if conn is not None and not conn.is_closed():
                if await _answers(conn, self.connect_timeout):
                    self._used[target] = time.monotonic()
                    return
                self._conns.pop(target, None)
                conn.close()
        await self.connection(target)

    async def connection(self, target: Target) -> asyncssh.SSHClientConnection:
        """The pooled connection to target, opened (or reopened) on demand."""
        lock = self._locks.setdefault(target, asyncio.Lock())
        async with lock:
            conn = self._conns.get(target)
            if conn is None or conn.is_closed():
                conn = await _open(target, self.connect_timeout, self.keepalive)
                self._conns[target] = conn
            self._used[target] = time.monotonic()
            return conn

    async def close_idle(self, idle: float) -> int:
        """Close the connections unused for more than idle seconds; how many."""
        cutoff = time.monotonic() - idle
        stale = [t for t in self._conns if self._used.get(t, 0.0) < cutoff]
        for target in stale:
            self._used.pop(target, None)
            self._conns.pop(target).close()
        return len(stale)

    async def run(
        self,
        target: Target,
        argv: Sequence[str],
        timeout: float | None = None,
        stdin: str | None = None,
    ) -> CommandResult:
        """Run argv on the node; a non-zero exit is a result, not an exception."""
        line = command_line(argv)
        limit = self.command_timeout if timeout is None else timeout
        slot = self._slots.setdefault(
            (target.address, target.port), asyncio.Semaphore(self.max_channels)
        )
        async with slot:
            conn = await self.connection(target)
            started = time.monotonic()
            try:
                # The inner timeout closes the channel; the outer one also covers opening it.
                proc = await asyncio.wait_for(
                    conn.run(line, input=stdin, check=False, timeout=limit), limit + 1
                )
            except TimeoutError:
                raise CommandTimeout(
                    target.label, f"{argv[0]} did not finish within {limit:g} s"
                ) from None
            except (OSError, asyncssh.Error) as exc:
                self._conns.pop(target, None)
                raise ConnectError(target.label, f"connection lost: {exc}") from exc
        return CommandResult(
            host=target.address,
            argv=tuple(argv),
            exit_status=_exit_status(proc),
            stdout=_text(proc.stdout),
            stderr=_text(proc.stderr),
            duration=time.monotonic() - started,
        )

    async def stream(self, target: Target, argv: Sequence[str]) -> AsyncIterator[str]:
        """Run a long-lived argv and yield its output lines until it or the channel ends.

        The command gets a pseudo-terminal, so when the channel closes (the iterator is
        closed, the connection drops) the node's sshd hangs it up and it ends there too.
        """
        line = command_line(argv)
        slot = self._slots.setdefault(
            (target.address, target.port), asyncio.Semaphore(self.max_channels)
        )
        async with slot:
            conn = await self.connection(target)
            try:
                process = await conn.create_process(line, term_type="dumb")
            except (OSError, asyncssh.Error) as exc:
                self._conns.pop(target, None)
                raise ConnectError(target.label, f"connection lost: {exc}") from exc
            try:
                async for text in process.stdout:
                    yield _text(text).rstrip("\r\n")
            except (OSError, asyncssh.Error) as exc:
                self._conns.pop(target, None)
                raise ConnectError(target.label, f"connection lost: {exc}") from exc
            finally:
                process.close()
        raise ConnectError(target.label, f"{argv[0]} stream ended")

    async def close(self) -> None:
        """Close every pooled connection."""
        conns, self._conns = list(self._conns.values()), {}
        for conn in conns:
            conn.close()
        for conn in conns:
            # a node that went away never answers the close: do not wait for it long
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(conn.wait_closed(), 2)


async def _answers(conn: asyncssh.SSHClientConnection, timeout: float) -> bool:
    """Whether the node at the other end of conn still answers: one SSH keepalive
    request (what asyncssh's own keepalives send), no command run. asyncssh has no
    public call for it; tests/lab/test_runner_on_lab.py checks it against a node that
    answers and one that went away."""
    try:
        await asyncio.wait_for(conn._make_global_request(b"keepalive@openssh.com"), timeout)
    except (TimeoutError, OSError, asyncssh.Error):
        return False
    return not conn.is_closed()


def _exit_status(proc: asyncssh.SSHCompletedProcess) -> int:
    if proc.exit_status is not None:
        return proc.exit_status
    # Killed by a signal: report it as a shell would (128 + signal number).
    return 128 + (_SIGNALS.get(proc.exit_signal[0], 0) if proc.exit_signal else 0)


_SIGNALS = {"HUP": 1, "INT": 2, "QUIT": 3, "KILL": 9, "SEGV": 11, "PIPE": 13, "TERM": 15}


def _text(data: str | bytes | None) -> str:
    if data is None:
        return ""
    if isinstance(data, bytes):
        return data.decode("utf-8", "replace")
    return data
