"""`make bench`: every benchmark, one after the other, each printing its figures and its
ratio to a baseline measured in the same run (docs/benchmarks.md has the table).

`.venv/bin/python bench/run.py [--quick] [--only NAME ...]`. The lab must be up for all
but parse_diff (`lab/lab up`); a benchmark that fails is reported and the others still
run; the exit status is 1 if any failed. --quick: fewer rounds, about two minutes.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
# name -> (full arguments, --quick arguments)
SUITE: dict[str, tuple[list[str], list[str]]] = {
    "parse_diff": (["--rounds", "30"], ["--rounds", "10"]),
    "runner": (["--count", "50"], ["--count", "15"]),
    "first_command": (["--rounds", "20"], ["--rounds", "5"]),
    "operations": (["--rounds", "5"], ["--rounds", "2"]),
    "latency": (["--changes", "20"], ["--changes", "5"]),
    "watch_cost": (["--seconds", "30"], ["--seconds", "8"]),
    "many_clusters": (
        ["--clusters", "100", "--seconds", "30"],
        ["--clusters", "30", "--seconds", "8"],
    ),
    "fanout": (["--clients", "200", "--publishes", "30"], ["--clients", "50", "--publishes", "10"]),
}


def run(name: str, args: list[str]) -> tuple[int, float]:
    """Run one benchmark (its output goes straight through); its exit status and seconds."""
    argv = [sys.executable, str(BENCH / f"{name}.py"), *args]
    print(f"\n=== {name}: {' '.join(argv[1:])}", flush=True)
    started = time.monotonic()
    code = subprocess.run(argv, check=False).returncode
    return code, time.monotonic() - started


def main() -> int:
    """Run the suite (or the --only ones); a summary line per benchmark at the end."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer rounds: about 2 minutes")
    parser.add_argument("--only", nargs="*", choices=sorted(SUITE), default=None)
    options = parser.parse_args()
    names = options.only or list(SUITE)
    results = {name: run(name, SUITE[name][1 if options.quick else 0]) for name in names}
    print("\n=== summary")
    for name, (code, seconds) in results.items():
        print(f"  {name:<12} {'ok' if code == 0 else f'FAILED (exit {code})':<18} {seconds:6.1f} s")
    return 0 if all(code == 0 for code, _ in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
