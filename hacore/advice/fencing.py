"""The fence path check, its pure half: which plug a device would be given for a node,
what the fence agent gets on its stdin, where to ask from, and what the answer means.

It asks each device that claims a node, without fencing anything, whether it reaches
that node's plug: the agent's `status` action (or what `pcmk_status_action` renames it
to) for the plug Pacemaker would pass, with the device's own parameters as key=value
lines on the agent's stdin, exactly as the fencer passes them (Pacemaker 2.1-3.0:
`make_args()`, `build_port_aliases()`, `pcmk_stonith_param()`). Secrets stay on stdin:
never on a command line, and redacted from what is recorded.

Agent exit codes (fence-agents' API): 0 on, 2 off, anything else: could not tell.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from hacore.advice.model import Facts, Finding, Ref, Severity
from hacore.pacemaker.cib import CibResource
from hacore.pacemaker.constraints import Constraint

EXIT_ON, EXIT_OFF = 0, 2
TIMED_OUT = -1  # the agent ran but did not answer in time (no exit status)
CIBSECRET = "lrm://"
# Parameters the fencer keeps for itself (pcmk_stonith_param), besides pcmk_ACTION_*.
_PACEMAKER_PARAMS = frozenset(
    {
        "provides",
        "stonith-timeout",
        "pcmk_action_limit",
        "pcmk_delay_base",
        "pcmk_delay_max",
        "pcmk_host_argument",
        "pcmk_host_check",
        "pcmk_host_list",
        "pcmk_host_map",
    }
)
_PCMK_ACTION_PARAM = re.compile(r"pcmk_[^_]+_(action|timeout|retries)")
_SECRET = re.compile(r"pass|secret|token|community|priv|(^|_)key$", re.IGNORECASE)
_MAP_SEPARATORS = "; \t"


def host_map(value: str) -> dict[str, str]:
    """pcmk_host_map ("node1:plug1;node2=plug2", ";" space or tab between entries, "\\"
    escapes) as {node name lowercased: plug}, as the fencer reads it."""
    aliases: dict[str, str] = {}
    name: str | None = None
    token: list[str] = []
    chars = iter(value + "\0")
    for ch in chars:
        if ch == "\\":
            token.append(next(chars, ""))
        elif ch in ":=":
            name, token = "".join(token), []
        elif ch in _MAP_SEPARATORS or ch == "\0":
            if name:
                aliases[name.lower()] = "".join(token)
            name, token = None, []
        else:
            token.append(ch)
    return aliases


def pacemaker_param(name: str) -> bool:
    """Whether the fencer keeps this parameter to itself (not passed to the agent)."""
    return name in _PACEMAKER_PARAMS or bool(_PCMK_ACTION_PARAM.fullmatch(name))


def host_argument(params: Mapping[str, str], agent_params: Sequence[str]) -> str | None:
    """The parameter that carries the plug: pcmk_host_argument (None if "none"), else
    "port" if the agent has it, else "plug", else "port" (the fencer's default)."""
    configured = params.get("pcmk_host_argument")
    if configured:
        return None if configured.strip().lower() == "none" else configured
    if "port" in agent_params:
        return "port"
    return "plug" if "plug" in agent_params else "port"


def plug_for(params: Mapping[str, str], node: str, host_arg: str | None) -> str | None:
    """The plug the agent gets for node: a fixed value of the host argument, else the
    node's pcmk_host_map alias, else the node's name (None: no plug is passed)."""
    if host_arg is None:
        return None
    fixed = params.get(host_arg)
    if fixed and fixed.lower() != "dynamic":
        return fixed
    return host_map(params.get("pcmk_host_map", "")).get(node.lower(), node)


def agent_input(
    params: Mapping[str, str], node: str, host_arg: str | None, action: str = "status"
) -> str:
    """The agent's stdin for action on node's plug, as the fencer builds it: action,
    nodename, the plug (unless the host argument has a fixed value), then the device's
    own parameters (those the fencer keeps for itself left out; they win on a clash)."""
    args = {"action": params.get(f"pcmk_{action}_action") or action, "nodename": node}
    plug = plug_for(params, node, host_arg)
    if host_arg is not None and plug is not None:
        args[host_arg] = plug
    for name, value in params.items():
        if name == "action" or pacemaker_param(name):
            continue
        if name == "crm_feature_set" or "CRM_meta" in name:
            continue
        args[name] = value
    return "".join(f"{name}={value}\n" for name, value in args.items())


def secrets(params: Mapping[str, str]) -> list[str]:
    """The values of a device's secret parameters (passwords, communities, keys)."""
    return [v for k, v in params.items() if v and _SECRET.search(k) and v != CIBSECRET]


def redact(text: str, hidden: Sequence[str]) -> str:
    """text with every secret value replaced by ***."""
    for value in sorted(hidden, key=len, reverse=True):
        text = text.replace(value, "***")
    return text


def fence_agent(device: CibResource) -> str | None:
    """The fence agent of a device ("fence_ipmilan"), or None if it is not a fence_*
    agent (the check only runs those)."""
    name = (device.agent or "").removeprefix("stonith:")
    return name if re.fullmatch(r"fence_[A-Za-z0-9_]+", name) else None


def banned(constraints: Sequence[Constraint], device: str) -> set[str]:
    """Nodes a -INFINITY location constraint keeps the device off (it cannot run there)."""
    return {
        c.node
        for c in constraints
        if c.type == "location"
        and c.resources == (device,)
        and c.node
        and c.score.strip().upper() == "-INFINITY"
    }


def ask_order(
    target: str, online: Sequence[str], active_on: set[str], off_limits: set[str]
) -> list[str]:
    """Where to run the check for target, best first: online nodes other than target
    that may run the device, the one where the device runs (its monitor) first."""
    candidates = [n for n in online if n != target and n not in off_limits]
    return sorted(candidates, key=lambda n: n not in active_on)


@dataclass(frozen=True)
class PathCheck:
    """One device asked about one node's plug: where from, and what it answered (exit
    None: it was not asked, `skipped` says why). output is redacted."""

    node: str
    device: str
    plug: str | None
    ran_on: str | None = None
    exit_status: int | None = None
    output: str = ""
    skipped: str = ""


def judge(check: PathCheck, online: bool) -> Finding | None:
    """What a check's answer means for an operator (None: the path works)."""
    refs = (Ref("device", check.device), Ref("node", check.node))
    plug = f"plug {check.plug!r}" if check.plug is not None else "no plug"
    if check.exit_status is None:
        detail = f"The fence path of {check.node} through {check.device} was not checked: "
        return Finding("fence_path_unchecked", Severity.INFO, detail + check.skipped, refs)
    asked = f"asked from {check.ran_on} for {plug}"
    said = check.output.strip()[-400:] or "no output"
    ended = "no answer in time" if check.exit_status == TIMED_OUT else f"exit {check.exit_status}"
    if check.exit_status == EXIT_ON:
        return None
    if check.exit_status == EXIT_OFF:
        if not online:
            return None
        detail = (
            f"{check.device} says {plug} is OFF ({asked}), but {check.node} is online: that "
            f"plug is not {check.node}'s. Fencing {check.node} would switch off something "
            "else, or nothing. Check pcmk_host_map / pcmk_host_list."
        )
        return Finding("fence_path_wrong_plug", Severity.CRITICAL, detail, refs)
    detail = (
        f"{check.device} cannot fence {check.node}: its agent's status for {plug} failed "
        f"({asked}, {ended}: {said}). A wrong plug (pcmk_host_map), an "
        "unreachable fence device (BMC, PDU) or wrong credentials: the cluster would find "
        "out only when it has to fence."
    )
    return Finding("fence_path_failed", Severity.CRITICAL, detail, refs)


def map_findings(facts: Facts) -> Iterator[Finding]:
    """pcmk_host_map entries that name no node of the cluster, or give two nodes one
    plug of the same device."""
    nodes = {n.lower(): n for n in facts.member_nodes()}
    for device in facts.fence_devices():
        mapped = host_map(dict(device.params).get("pcmk_host_map", ""))
        by_plug: dict[str, list[str]] = {}
        for name, plug in mapped.items():
            if name not in nodes:
                detail = (
                    f"pcmk_host_map of {device.id} maps {name!r} (plug {plug!r}), which is "
                    "not a node of this cluster: a typo leaves the node it meant unmapped."
                )
                yield Finding(
                    "fence_map_unknown_node", Severity.WARNING, detail, (Ref("device", device.id),)
                )
            else:
                by_plug.setdefault(plug, []).append(nodes[name])
        for plug, sharing in sorted(by_plug.items()):
            if len(sharing) < 2:
                continue
            detail = (
                f"pcmk_host_map of {device.id} gives {' and '.join(sharing)} the same plug "
                f"{plug!r}: fencing one would switch off the other (or the wrong machine)."
            )
            refs = (Ref("device", device.id), *(Ref("node", n) for n in sharing))
            yield Finding("fence_map_duplicate_plug", Severity.CRITICAL, detail, refs)
