"""A real SSH server on loopback that is NOT a cluster node (asyncssh, in a thread).

It accepts one client key and answers every command with "command not found", as a
host without Pacemaker would; tests use it for the refusals that need such a host.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import asyncssh


@dataclass(frozen=True)
class FakeHost:
    """Where the fake host listens and the keys to use with it."""

    port: int
    host_key: asyncssh.SSHKey
    client_key: asyncssh.SSHKey

    @property
    def client_key_text(self) -> str:
        """The client's private key, OpenSSH format."""
        return self.client_key.export_private_key().decode()

    @property
    def host_public(self) -> str:
        """'ALGORITHM BASE64' of the host key."""
        return self.host_key.export_public_key().decode().strip()

    @property
    def fingerprint(self) -> str:
        """The host key's SHA256 fingerprint."""
        return str(self.host_key.get_fingerprint("sha256"))


def _handle(process: asyncssh.SSHServerProcess[str]) -> None:
    name = (process.command or "").split()[0] if process.command else "sh"
    process.stderr.write(f"sh: 1: {name}: not found\n")
    process.exit(127)


@contextmanager
def fake_ssh_host() -> Iterator[FakeHost]:
    """Run the fake host for the duration of the with-block."""
    host_key = asyncssh.generate_private_key("ssh-ed25519")
    client_key = asyncssh.generate_private_key("ssh-ed25519")
    authorized = asyncssh.import_authorized_keys(client_key.export_public_key().decode())
    loop = asyncio.new_event_loop()
    started: dict[str, asyncssh.SSHAcceptor] = {}

    async def start() -> None:
        started["server"] = await asyncssh.listen(
            "127.0.0.1",
            0,
            server_host_keys=[host_key],
            authorized_client_keys=authorized,
            process_factory=_handle,
            config=None,
        )

    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    asyncio.run_coroutine_threadsafe(start(), loop).result(10)
    server = started["server"]
    try:
        yield FakeHost(server.get_port(), host_key, client_key)
    finally:

        async def stop() -> None:
            server.close()  # on the server's own loop: asyncio's Server is not thread-safe

        asyncio.run_coroutine_threadsafe(stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
