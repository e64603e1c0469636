"""Figures the benchmarks share."""

from __future__ import annotations


def p95(samples: list[float]) -> float:
    """The 95th percentile (nearest rank, rounded down)."""
    return sorted(samples)[int(0.95 * (len(samples) - 1))]
