"""Why an operation (a plan, a read, a change) could not go on: each carries a code and
an HTTP status (hacore.errors) for when it reaches the API."""

from __future__ import annotations

from hacore.errors import ConsoleError
from hacore.runner import CommandResult


class OperationError(ConsoleError):
    """The operation cannot go on; the message says why for the operator."""

    code = "failed_on_cluster"
    http_status = 422


class CommandFailed(OperationError):
    """A command exited non-zero; its own stderr is the message."""

    def __init__(self, result: CommandResult) -> None:
        text = result.stderr.strip() or result.stdout.strip() or "no output"
        super().__init__(f"{result.argv[0]} exited {result.exit_status}: {text}")
        self.result = result


class CibMoved(OperationError):
    """The CIB's configuration changed since the plan was made."""

    code = "cib_changed"
    http_status = 409

    def __init__(self, planned: str, found: str) -> None:
        super().__init__(
            f"the CIB changed since the plan was made (planned on {planned}, now {found});"
            " make a new plan"
        )
        self.planned = planned
        self.found = found


class PlanRefused(OperationError):
    """The plan shows that the change would not do what it says (its own code)."""
