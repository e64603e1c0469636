"""Calling the lab (lab/lab) from tests."""

from __future__ import annotations

import socket
import subprocess
import time
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from hacore.runner import HostKey, Target
from nodes.hostkeys import parse_known_hosts

REPO = Path(__file__).resolve().parents[1]
LAB = REPO / "lab" / "lab"


def lab(
    *args: str, timeout: float = 180, check: bool = True, input_text: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run lab/lab with args (input_text: its standard input); with check, a failure
    raises CalledProcessError carrying lab/lab's messages in its text."""
    done = subprocess.run(
        [str(LAB), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        input=input_text,
    )
    if check and done.returncode != 0:
        raise subprocess.CalledProcessError(
            done.returncode, f"lab/lab {' '.join(args)}: {done.stderr.strip()}", done.stdout
        )
    return done


def wait_for_port(host: str, port: int, timeout: float) -> None:
    """Wait until something accepts TCP connections on host:port."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex((host, port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listens on {host}:{port} after {timeout} s")


@dataclass(frozen=True)
class LabNode:
    """A lab node: its name, its address, its number for lab/lab."""

    number: int
    name: str
    address: str


class Lab:
    """What the tests need to know about the running lab."""

    @cached_property
    def nodes(self) -> list[LabNode]:
        """The lab's nodes, from `lab/lab nodes`."""
        rows = [line.split() for line in lab("nodes").stdout.splitlines() if line.strip()]
        return [LabNode(i, name, address) for i, (name, address) in enumerate(rows, 1)]

    @cached_property
    def private_key(self) -> str:
        """The private key that reaches the nodes."""
        return Path(lab("ssh-key").stdout.strip()).read_text()

    @cached_property
    def known_hosts(self) -> str:
        """known_hosts lines made from the nodes' own key files."""
        return lab("known-hosts").stdout

    def host_key(self, address: str) -> HostKey:
        """The host key the lab's files give for address."""
        return parse_known_hosts(self.known_hosts)[address]

    def target(self, number: int) -> Target:
        """A runner target for node number, key pinned from the lab's files."""
        node = self.nodes[number - 1]
        return Target(node.address, "root", self.private_key, self.host_key(node.address))

    def exec(self, number: int, *argv: str, check: bool = True) -> str:
        """Run argv on node number (inside its namespaces) and return stdout."""
        return lab("exec", str(number), *argv, check=check).stdout

    def wait_online(self, number: int) -> None:
        """Start node number if it is off and wait until the cluster has it online."""
        lab("start-node", str(number), timeout=240)
