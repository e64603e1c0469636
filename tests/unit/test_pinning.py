"""Host-key pinning is enforced where connections are opened, on a real SSH server (the
fake host of tests/fakessh.py): a wrong pinned key and no pinned key are both refused
before any command runs; the right key connects (the positive control)."""

from __future__ import annotations

from collections.abc import Iterator

import asyncssh
import pytest

from hacore.runner import HostKey, HostKeyMismatch, HostKeyNotPinned, SshPool, Target
from tests.fakessh import FakeHost, fake_ssh_host


@pytest.fixture(scope="module")
def host() -> Iterator[FakeHost]:
    with fake_ssh_host() as running:
        yield running


def target_for(host: FakeHost, pinned: HostKey | None) -> Target:
    return Target("127.0.0.1", "root", host.client_key_text, pinned, host.port)


async def test_the_pinned_key_connects_and_runs() -> None:
    with fake_ssh_host() as host:
        async with SshPool(connect_timeout=5) as pool:
            result = await pool.run(target_for(host, HostKey.parse(host.host_public)), ["crm_mon"])
    assert result.exit_status == 127, "the fake host answered: the connection was made"
    assert "crm_mon: not found" in result.stderr


async def test_another_pinned_key_is_refused(host: FakeHost) -> None:
    other = HostKey.parse(asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode())
    async with SshPool(connect_timeout=5) as pool:
        with pytest.raises(
            HostKeyMismatch, match=rf"pinned {other.fingerprint}.*{host.fingerprint}"
        ):
            await pool.run(target_for(host, other), ["crm_mon"])


async def test_no_pinned_key_is_refused_before_connecting(host: FakeHost) -> None:
    async with SshPool(connect_timeout=5) as pool:
        with pytest.raises(HostKeyNotPinned, match=r"no trusted host key"):
            await pool.connect(target_for(host, None))


async def test_a_refused_key_leaves_no_pooled_connection(host: FakeHost) -> None:
    other = HostKey.parse(asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode())
    async with SshPool(connect_timeout=5) as pool:
        with pytest.raises(HostKeyMismatch, match=r"host key changed"):
            await pool.connect(target_for(host, other))
        assert pool._conns == {}
        good = target_for(host, HostKey.parse(host.host_public))
        await pool.connect(good)
        assert list(pool._conns) == [good]
