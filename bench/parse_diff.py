"""Benchmark: parse + snapshot + diff of a large crm_mon XML, next to a bare lxml parse.

`.venv/bin/python bench/parse_diff.py [--rounds 30]`: 80 nodes, 210 top-level
resources (1,930 in the tree), history and failures (tests/generators.py). Each round
parses the XML into dataclasses, turns it into the snapshot JSON and diffs it against
the previous round's snapshot (with one resource moved, so the diff has work to do).
Prints the median and p95 per round, the bare `lxml.etree.fromstring` of the same
bytes, and the ratio. The three are timed one after the other within each round, and
the ratio is the median of the rounds' own ratios: this machine kind's speed drifts by
2x from minute to minute, which a ratio of two separate medians would show as noise.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from lxml import etree

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.stats import p95
from clusters.diff import diff
from hacore.pacemaker.snapshot import to_snapshot
from hacore.pacemaker.status import parse_crm_mon
from tests.generators import large_crm_mon


def timed(fn: Callable[[], object], rounds: int) -> list[float]:
    """Wall time of each of `rounds` calls of fn, in ms."""
    return timed_in_turn([fn], rounds)[0]


def timed_in_turn(fns: list[Callable[[], object]], rounds: int) -> list[list[float]]:
    """Wall time of each fn in each of `rounds` rounds (the fns in turn), in ms."""
    samples: list[list[float]] = [[] for _ in fns]
    for _ in range(rounds):
        for fn, out in zip(fns, samples, strict=True):
            started = time.perf_counter()
            fn()
            out.append((time.perf_counter() - started) * 1000)
    return samples


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=30)
    rounds = parser.parse_args().rounds
    xml = large_crm_mon().encode()
    moved = (
        large_crm_mon()
        .replace('id="p_0" ', 'id="p_0" ')
        .replace(
            '<node name="n00" id="n00" cached="true"/></resource>',
            '<node name="n01" id="n01" cached="true"/></resource>',
            1,
        )
        .encode()
    )
    previous = to_snapshot(parse_crm_mon(moved))

    def ours() -> None:
        diff(previous, to_snapshot(parse_crm_mon(xml)))

    def parse_only() -> None:
        parse_crm_mon(xml)

    bare, parsed, full = timed_in_turn([lambda: etree.fromstring(xml), parse_only, ours], rounds)
    changes = diff(previous, to_snapshot(parse_crm_mon(xml)))
    print(
        f"crm_mon XML: {len(xml) / 1024:.0f} KiB, 80 nodes, 1,930 resources in the tree; "
        f"{rounds} rounds; the diff finds {len(changes)} change(s)"
    )
    for label, samples in (
        ("bare lxml parse", bare),
        ("parse into dataclasses", parsed),
        ("parse + snapshot + diff", full),
    ):
        print(
            f"  {label:<24} median {statistics.median(samples):7.2f} ms  p95 {p95(samples):7.2f} ms"
        )
    ratios = [f / b for f, b in zip(full, bare, strict=True)]
    print(
        f"  ratio parse+snapshot+diff / bare lxml (median of the rounds' ratios): "
        f"{statistics.median(ratios):.1f}x"
    )


if __name__ == "__main__":
    main()
