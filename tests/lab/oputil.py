"""Helpers of the operations tests: run on a node, wait, follow an operation."""

from __future__ import annotations

import time
from typing import Any

from rest_framework.test import APIClient

from tests.labutil import lab


def on_node(*argv: str) -> str:
    """Run argv on lab node 1; its stdout."""
    return lab("exec", "1", *argv, check=False).stdout


def where(rid: str) -> str:
    """The node rid runs on, read on the cluster ("" when stopped)."""
    out = on_node("crm_resource", "--locate", "--resource", rid)
    return out.strip().rsplit(" ", 1)[-1] if "is running on" in out else ""


def wait(check: Any, timeout: float, step: float = 0.5) -> Any:
    """Poll check() until it returns something true; that value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"not true after {timeout} s")


def finished(api: APIClient, op_id: int, timeout: float = 90) -> dict[str, Any]:
    """The operation once it has ended."""

    def done() -> dict[str, Any] | None:
        body: dict[str, Any] = api.get(f"/api/v1/operations/{op_id}/").json()
        return body if body["status"] in ("succeeded", "failed", "interrupted") else None

    result: dict[str, Any] = wait(done, timeout)
    return result


def run(api: APIClient, method: str, url: str, body: Any = None) -> dict[str, Any]:
    """A one-step action: 202 queued, then its operation once ended."""
    response = getattr(api, method)(url, body, format="json")
    assert response.status_code == 202, response.content
    assert response.json()["status"] == "queued"
    return finished(api, response.json()["id"])
