"""The runner against real nodes: argv intact, pinned keys enforced, dead nodes bounded."""

import asyncio
import time
from dataclasses import replace

import pytest

from hacore.runner import (
    CommandTimeout,
    ConnectError,
    ConnectTimeout,
    HostKeyMismatch,
    HostKeyNotPinned,
    RemoteError,
    SshPool,
)
from tests.corpus import INJECTION_CORPUS
from tests.labutil import Lab, lab

pytestmark = pytest.mark.lab


async def test_every_hostile_argument_arrives_intact(the_lab: Lab) -> None:
    async with SshPool() as pool:
        result = await pool.run(the_lab.target(1), ["printf", "%s\\0", *INJECTION_CORPUS])
    assert result.ok, result.stderr
    assert result.stdout.split("\0")[:-1] == INJECTION_CORPUS
    assert result.argv[0] == "printf"
    assert result.duration > 0


async def test_result_carries_exit_status_and_stderr(the_lab: Lab) -> None:
    async with SshPool() as pool:
        result = await pool.run(the_lab.target(2), ["sh", "-c", "echo out; echo err >&2; exit 3"])
        name = await pool.run(the_lab.target(2), ["hostname"])
    assert (result.exit_status, result.stdout, result.stderr) == (3, "out\n", "err\n")
    assert name.stdout.strip() == "node2"


async def test_commands_share_one_connection_within_the_channel_limit(the_lab: Lab) -> None:
    async with SshPool(max_channels=4) as pool:
        target = the_lab.target(1)
        results = await asyncio.gather(*(pool.run(target, ["sleep", "0.3"]) for _ in range(12)))
        assert len(pool._conns) == 1
    assert all(r.ok for r in results)


async def test_command_timeout(the_lab: Lab) -> None:
    async with SshPool(command_timeout=1) as pool:
        started = time.monotonic()
        with pytest.raises(CommandTimeout, match=r": sleep did not finish within 1 s$"):
            await pool.run(the_lab.target(1), ["sleep", "30"])
        assert time.monotonic() - started < 3
        # the pooled connection still works afterwards
        assert (await pool.run(the_lab.target(1), ["true"])).ok


async def test_idle_connections_are_closed(the_lab: Lab) -> None:
    async with SshPool() as pool:
        await pool.connect(the_lab.target(1))
        await pool.connect(the_lab.target(2))
        assert await pool.close_idle(60) == 0
        await asyncio.sleep(0.2)
        await pool.run(the_lab.target(2), ["true"])
        assert await pool.close_idle(0.1) == 1
        assert list(pool._conns) == [the_lab.target(2)]


async def test_unpinned_target_is_never_connected(the_lab: Lab) -> None:
    async with SshPool() as pool:
        with pytest.raises(HostKeyNotPinned, match=r": no trusted host key; confirm its"):
            await pool.run(replace(the_lab.target(1), host_key=None), ["true"])


async def test_wrong_pinned_key_refused(the_lab: Lab) -> None:
    wrong = the_lab.host_key(the_lab.nodes[1].address)  # node2's key pinned for node1
    async with SshPool() as pool:
        with pytest.raises(
            HostKeyMismatch,
            match=r": host key changed: pinned SHA256:\S+, node presented SHA256:\S+; refusing",
        ) as caught:
            await pool.run(replace(the_lab.target(1), host_key=wrong), ["true"])
    assert caught.value.actual == the_lab.host_key(the_lab.nodes[0].address).fingerprint


async def test_address_that_does_not_answer_times_out(the_lab: Lab) -> None:
    silent = replace(the_lab.target(1), address=the_lab.nodes[0].address.rsplit(".", 1)[0] + ".99")
    async with SshPool(connect_timeout=2) as pool:
        started = time.monotonic()
        with pytest.raises(
            (ConnectTimeout, ConnectError), match=r": (no answer within 2 s$|cannot connect: )"
        ):
            await pool.run(silent, ["true"])
        assert time.monotonic() - started < 4


async def test_powered_off_node_gives_an_error_in_bounded_time(the_lab: Lab) -> None:
    target = the_lab.target(3)
    try:
        async with (
            SshPool(connect_timeout=2, command_timeout=3, keepalive=1) as pool,
            SshPool(connect_timeout=2, keepalive=600) as kept,
        ):
            assert (await pool.run(target, ["true"])).ok
            await kept.connect(target)
            opened = kept._conns[target]
            await kept.connect(target)  # it answers: the same connection is kept
            assert kept._conns[target] is opened
            await asyncio.to_thread(lab, "kill-node", "3")
            # the kept connection's keepalives would notice in 30 minutes: connect()
            # asks the node now, finds no answer, and fails trying a new connection
            started = time.monotonic()
            with pytest.raises((ConnectTimeout, ConnectError)):
                await kept.connect(target)
            assert time.monotonic() - started < 5
            assert opened.is_closed()
            started = time.monotonic()
            with pytest.raises(
                RemoteError,
                match=r": (connection lost: |sleep did not finish within 3 s$"
                r"|no answer within 2 s$|cannot connect: )",
            ):
                await pool.run(target, ["sleep", "1"])
            assert time.monotonic() - started < 6
            started = time.monotonic()
            with pytest.raises(
                (ConnectTimeout, ConnectError),
                match=r": (no answer within 2 s$|cannot connect: |connection lost: )",
            ):
                await pool.run(target, ["true"])
            assert time.monotonic() - started < 6
    finally:
        await asyncio.to_thread(the_lab.wait_online, 3)
