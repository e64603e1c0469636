"""The command line of the lab's `systemctl` stand-in (lab/node/systemctl, inside nodes).

Exit statuses follow systemctl's: is-active 0/3, is-enabled 0/1, status 0/3/4 (no such
unit), start/stop 1 on failure and 5 for an unknown unit.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from . import units
from .units import Outcome, Unit, UnitError

IGNORED_OPTIONS = {"--no-pager", "--full", "-l", "--system", "--no-block", "--no-legend"}
UNKNOWN_UNIT = 5


def resolve(names: list[str], outcome: Outcome, verb: str) -> list[Unit]:
    """The units named; an unknown one is reported the way systemctl does."""
    found = []
    for name in names:
        unit = units.find(name)
        if unit is None or not unit.installed:
            service = name if name.endswith(".service") else f"{name}.service"
            outcome.err.append(f"Failed to {verb} {service}: Unit {service} not found.")
            outcome.code = UNKNOWN_UNIT
        else:
            found.append(unit)
    return found


def do_start(names: list[str], _quiet: bool, now: bool) -> Outcome:
    """systemctl start UNIT..."""
    outcome = Outcome()
    for unit in resolve(names, outcome, "start"):
        try:
            units.start(unit)
        except UnitError as exc:
            outcome.err.append(str(exc))
            outcome.code = 1
    return outcome


def do_stop(names: list[str], _quiet: bool, _now: bool) -> Outcome:
    """systemctl stop UNIT..."""
    outcome = Outcome()
    for unit in resolve(names, outcome, "stop"):
        try:
            units.stop(unit)
        except UnitError as exc:
            outcome.err.append(str(exc))
            outcome.code = 1
    return outcome


def do_restart(names: list[str], quiet: bool, now: bool) -> Outcome:
    """systemctl restart (try-restart, reload-or-restart) UNIT..."""
    stopped = do_stop(names, quiet, now)
    if stopped.code:
        return stopped
    return do_start(names, quiet, now)


def do_enable(names: list[str], quiet: bool, now: bool) -> Outcome:
    """systemctl enable [--now] UNIT..."""
    outcome = Outcome()
    for unit in resolve(names, outcome, "enable"):
        outcome.err += units.enable(unit)
    if now and not outcome.code:
        started = do_start(names, quiet, now)
        return Outcome(started.code, outcome.out, outcome.err + started.err)
    return outcome


def do_disable(names: list[str], quiet: bool, now: bool) -> Outcome:
    """systemctl disable [--now] UNIT..."""
    outcome = Outcome()
    for unit in resolve(names, outcome, "disable"):
        outcome.err += units.disable(unit)
    if now and not outcome.code:
        stopped = do_stop(names, quiet, now)
        return Outcome(stopped.code, outcome.out, outcome.err + stopped.err)
    return outcome


def do_is_active(names: list[str], quiet: bool, _now: bool) -> Outcome:
    """systemctl is-active: 0 if one of them is active, else 3."""
    outcome = Outcome(3)
    for name in names:
        unit = units.find(name)
        state = units.active_state(unit) if unit is not None and unit.installed else "inactive"
        outcome.out.append(state)
        if state == "active":
            outcome.code = 0
    return quieted(outcome, quiet)


def do_is_failed(names: list[str], quiet: bool, _now: bool) -> Outcome:
    """systemctl is-failed: 0 if one of them failed, else 1."""
    outcome = Outcome(1)
    for name in names:
        unit = units.find(name)
        state = units.active_state(unit) if unit is not None and unit.installed else "inactive"
        outcome.out.append(state)
        if state == "failed":
            outcome.code = 0
    return quieted(outcome, quiet)


def do_is_enabled(names: list[str], quiet: bool, _now: bool) -> Outcome:
    """systemctl is-enabled: 0 if one of them is enabled, else 1."""
    outcome = Outcome(1)
    for name in names:
        unit = units.find(name)
        if unit is None or not unit.installed:
            service = name if name.endswith(".service") else f"{name}.service"
            outcome.err.append(
                f"Failed to get unit file state for {service}: No such file or directory"
            )
            continue
        state = "enabled" if units.is_enabled(unit) else "disabled"
        outcome.out.append(state)
        if state == "enabled":
            outcome.code = 0
    return quieted(outcome, quiet)


def do_status(names: list[str], _quiet: bool, _now: bool) -> Outcome:
    """systemctl status: 0 active, 3 not, 4 no such unit."""
    outcome = Outcome()
    codes = []
    for name in names:
        unit = units.find(name)
        if unit is None or not unit.installed:
            outcome.err.append(f"Unit {name.removesuffix('.service')}.service could not be found.")
            codes.append(4)
            continue
        if outcome.out:
            outcome.out.append("")
        outcome.out += units.status_lines(unit)
        codes.append(0 if units.is_active(unit) else 3)
    outcome.code = max(codes, default=0)
    return outcome


def do_list_unit_files(_names: list[str], _quiet: bool, _now: bool) -> Outcome:
    """systemctl list-unit-files [--full]."""
    return Outcome(0, units.list_unit_files())


def do_nothing(_names: list[str], _quiet: bool, _now: bool) -> Outcome:
    """daemon-reload, reset-failed: nothing to do here."""
    return Outcome()


def quieted(outcome: Outcome, quiet: bool) -> Outcome:
    """The outcome without its stdout (--quiet)."""
    return Outcome(outcome.code, [] if quiet else outcome.out, outcome.err)


Verb = Callable[[list[str], bool, bool], Outcome]
VERBS: dict[str, Verb] = {
    "start": do_start,
    "stop": do_stop,
    "restart": do_restart,
    "try-restart": do_restart,
    "reload-or-restart": do_restart,
    "enable": do_enable,
    "disable": do_disable,
    "is-active": do_is_active,
    "is-failed": do_is_failed,
    "is-enabled": do_is_enabled,
    "status": do_status,
    "list-unit-files": do_list_unit_files,
    "daemon-reload": do_nothing,
    "reset-failed": do_nothing,
}
NEEDS_UNITS = {"start", "stop", "restart", "try-restart", "reload-or-restart", "enable"}
NEEDS_UNITS |= {"disable", "is-active", "is-failed", "is-enabled"}


def main(argv: list[str]) -> int:
    """`systemctl [OPTIONS] VERB [UNIT...]` inside a lab node."""
    quiet = any(a in ("-q", "--quiet") for a in argv)
    now = "--now" in argv
    words = [a for a in argv if not a.startswith("-")]
    unknown = [a for a in argv if a.startswith("-") and a not in IGNORED_OPTIONS]
    unknown = [a for a in unknown if a not in ("-q", "--quiet", "--now")]
    if unknown or not words or words[0] not in VERBS:
        what = unknown[0] if unknown else (words[0] if words else "")
        print(f"systemctl (haconsole lab): unsupported {what!r}", file=sys.stderr)
        return 1
    verb, names = words[0], words[1:]
    if verb in NEEDS_UNITS and not names:
        print("Too few arguments.", file=sys.stderr)
        return 1
    outcome = VERBS[verb](names, quiet, now)
    for line in outcome.out:
        print(line)
    for line in outcome.err:
        print(line, file=sys.stderr)
    return outcome.code
