"""Helpers of the lab's own tests (nodes as machines, VMs, DRBD, the book scenario)."""

from __future__ import annotations

import contextlib
import json
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pytest

from tests.labutil import lab

T = TypeVar("T")


def on(number: int, *argv: str, check: bool = False, timeout: float = 180) -> str:
    """Run argv on lab node `number` (its namespaces, no ssh); stdout."""
    return lab("exec", str(number), *argv, check=check, timeout=timeout).stdout


def wait_until(
    what: str,
    probe: Callable[[], T | None],
    timeout: float = 90,
    explain: Callable[[], str] | None = None,
) -> T:
    """Poll probe until it returns something truthy; fail after timeout seconds, with
    what `explain` says of the state it stopped at."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            seen = f"\n{explain()}" if explain else ""
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}{seen}")
        time.sleep(0.5)


def crm_mon(number: int = 1) -> ET.Element | None:
    """crm_mon XML read on node `number`, None if its Pacemaker does not answer."""
    out = on(number, "crm_mon", "--one-shot", "--inactive", "--output-as=xml")
    try:
        return ET.fromstring(out)  # noqa: S314 - the lab's own crm_mon
    except ET.ParseError:
        return None


def online(number: int = 1) -> set[str]:
    """Nodes crm_mon on node `number` shows online."""
    root = crm_mon(number)
    if root is None:
        return set()
    return {n.get("name", "") for n in root.iterfind("nodes/node") if n.get("online") == "true"}


def dc(number: int) -> str | None:
    """The DC as node `number` sees it (None: none)."""
    root = crm_mon(number)
    elem = root.find("summary/current_dc") if root is not None else None
    return elem.get("name") if elem is not None and elem.get("present") == "true" else None


def placements(rid: str, number: int = 1) -> list[tuple[str, str]]:
    """(role, node) of every active, not failed instance of resource `rid`."""
    root = crm_mon(number)
    if root is None:
        return []
    found = []
    for res in root.iter("resource"):
        if res.get("id") == rid and res.get("active") == "true" and res.get("failed") != "true":
            found += [(res.get("role", ""), n.get("name", "")) for n in res.iterfind("node")]
    return found


def info() -> dict[str, Any]:
    """lab/lab info."""
    data = json.loads(lab("info").stdout)
    assert isinstance(data, dict)
    return data


def node_names() -> list[str]:
    """The cluster's nodes (the spare is not one)."""
    return [n["name"] for n in info()["nodes"] if n["name"] != info()["spare"]]


def qemu_count(number: int) -> int:
    """How many QEMU processes node `number` sees (its own PID namespace)."""
    return len(on(number, "pgrep", "-x", "qemu-system-x86").split())


def reset() -> None:
    """lab/lab reset (the plain lab)."""
    lab("reset", timeout=600)


@contextlib.contextmanager
def book_scenario() -> Iterator[None]:
    """The book's stack (`lab/lab scenario book --fixed`) while the block runs; the plain
    lab again after it."""
    lab("scenario", "book", "--fixed", timeout=900)
    try:
        yield
    finally:
        lab("scenario", "reset", timeout=600)
