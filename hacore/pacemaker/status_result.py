"""crm_mon's <pacemaker-result> envelope: is it crm_mon's, and did crm_mon read the cluster?

crm_mon can exit 0 and still not have read the cluster: with a CIB it cannot read (a
schema it does not know, a missing CIB file) Pacemaker 2.1.5 prints

    <pacemaker-result api-version="2.25" request="crm_mon --one-shot ...">
      <status code="0" message="OK">
        <errors><error>Could not connect to the CIB: No such device or address</error></errors>
      </status>
    </pacemaker-result>

with no <summary> and no <nodes>. Read naively that is a cluster of 0 nodes. Here it is
a `StatusUnreadable` carrying crm_mon's own words, never an empty cluster.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from hacore.pacemaker.xmlsafe import ParseError, parse_xml

__all__ = ["StatusUnreadable", "check_envelope", "unreadable_from_output"]

_RUNNING = {"running", "remote"}  # pacemakerd states in which crm_mon reads the cluster


class StatusUnreadable(ParseError):
    """crm_mon answered, but not with the cluster's status: a failed read, not a state.

    Raised by `parse_crm_mon` (and `hacore.reads.read_status`) when crm_mon's result
    carries <errors>, has no <summary>, or lists no node; also when crm_mon exited
    non-zero with its reasons in its XML. It is a `ParseError` (so a `BadGateway`,
    HTTP 502), so every caller that already catches ParseError catches it; catch it
    first to keep the cluster's last good state and mark it stale.

    Message, for people (the event text, the stale banner):
        "crm_mon could not read the cluster status: <what>[ (<context>)]"
    where <what> is crm_mon's <error> texts joined by "; " (or, without any, what is
    missing: "no <summary> in crm_mon's result", "crm_mon lists no node") and <context>
    is "crm_mon status <code>: <message>", "pacemakerd <state>" and "exit status <n>",
    those that are known and not plain success, joined by "; ". Example:
        crm_mon could not read the cluster status: Could not connect to the CIB: No such
        device or address (crm_mon status 0: OK)

    Attributes, for code:
        errors: crm_mon's own <error> texts, in order (empty when it gave none).
        reason: the <what> of the message.
        crm_mon_status: <status code> as an int (None if absent or not a number).
        status_message: <status message> (None if absent).
        pacemakerd: <pacemakerd state> when it is not running (None otherwise).
        exit_status: crm_mon's process exit status when known and non-zero (set by
            read_status), else None.
    `code` is "status_unreadable"; `extra()` gives errors, crm_mon_status and
    exit_status for the API's error body.
    """

    code = "status_unreadable"

    def __init__(
        self,
        reason: str,
        *,
        errors: tuple[str, ...] = (),
        crm_mon_status: int | None = None,
        status_message: str | None = None,
        pacemakerd: str | None = None,
        exit_status: int | None = None,
    ) -> None:
        self.reason = reason
        self.errors = errors
        self.crm_mon_status = crm_mon_status
        self.status_message = status_message
        self.pacemakerd = pacemakerd
        self.exit_status = exit_status
        super().__init__(f"crm_mon could not read the cluster status: {reason}{self._context()}")

    def _context(self) -> str:
        parts = []
        if self.crm_mon_status is not None:
            parts.append(f"crm_mon status {self.crm_mon_status}: {self.status_message or ''}")
        if self.pacemakerd is not None:
            parts.append(f"pacemakerd {self.pacemakerd}")
        if self.exit_status:
            parts.append(f"exit status {self.exit_status}")
        return f" ({'; '.join(parts)})" if parts else ""

    def describe(self) -> str:
        """What the API answers: crm_mon's own words."""
        return str(self)

    def extra(self) -> dict[str, Any]:
        """crm_mon's errors, its status code and exit status, for the API's body."""
        return {
            "errors": list(self.errors),
            "crm_mon_status": self.crm_mon_status,
            "exit_status": self.exit_status,
        }


def check_envelope(root: etree._Element) -> None:
    """Refuse what is not crm_mon's status of a cluster it could read.

    ParseError if the root is not <pacemaker-result> or its `request` is not crm_mon's
    (crm_simulate, crm_resource... print the same root); StatusUnreadable if crm_mon
    reports <errors>, or printed no <summary>, or lists no <node>.
    """
    if root.tag != "pacemaker-result":
        raise ParseError(f"expected <pacemaker-result>, got <{root.tag}>")
    if not _is_crm_mon(root.get("request")):
        raise ParseError(f"not crm_mon's output (request={root.get('request')!r})")
    errors = _errors(root)
    if errors:
        raise _unreadable(root, "; ".join(errors), errors)
    if root.find("summary") is None:
        raise _unreadable(root, "no <summary> in crm_mon's result")
    if root.find("nodes/node") is None:
        raise _unreadable(root, "crm_mon lists no node")


def unreadable_from_output(output: str, exit_status: int) -> StatusUnreadable | None:
    """Why crm_mon failed, from the XML it printed while exiting non-zero; None if that
    output is not crm_mon's XML or says nothing (the caller then reports stderr)."""
    try:
        root = parse_xml(output)
    except ParseError:
        return None
    if root.tag != "pacemaker-result" or not _is_crm_mon(root.get("request")):
        return None
    errors = _errors(root)
    status = root.find("status")
    if not errors and (status is None or not status.get("message")):
        return None
    reason = "; ".join(errors) or "crm_mon reported a failure"
    return _unreadable(root, reason, errors, exit_status)


def _is_crm_mon(request: str | None) -> bool:
    """crm_mon's `request` is its command line: "crm_mon --one-shot ..." (or a path)."""
    words = (request or "").split()
    return bool(words) and words[0].rsplit("/", 1)[-1] == "crm_mon"


def _errors(root: etree._Element) -> tuple[str, ...]:
    """The texts of <status><errors><error> (where 2.x puts them) or <errors><error>."""
    found = [*root.iterfind("status/errors/error"), *root.iterfind("errors/error")]
    texts = (" ".join((el.text or "").split()) for el in found)
    return tuple(text for text in texts if text)


def _unreadable(
    root: etree._Element,
    reason: str,
    errors: tuple[str, ...] = (),
    exit_status: int | None = None,
) -> StatusUnreadable:
    status = root.find("status")
    code = None if status is None else status.get("code")
    pacemakerd = root.find("pacemakerd")
    state = None if pacemakerd is None else pacemakerd.get("state")
    return StatusUnreadable(
        reason,
        errors=errors,
        crm_mon_status=int(code) if code is not None and code.strip().isdigit() else None,
        status_message=None if status is None else status.get("message"),
        pacemakerd=state if state not in (None, *_RUNNING) else None,
        exit_status=exit_status or None,
    )
