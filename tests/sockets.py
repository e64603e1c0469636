"""How the console's consumers answer a WebSocket, for the consumer tests."""

from __future__ import annotations

from channels.testing import WebsocketCommunicator


async def refusal(comm: WebsocketCommunicator) -> int | None:
    """Connect; the close code the console refuses the socket with (accepted, then closed
    at once, so that a browser sees the code), the handshake's own refusal code (the
    Origin check), or None when the socket stays open."""
    connected, code = await comm.connect()
    if not connected:
        return int(code) if code is not None else -1
    output = await comm.receive_output(timeout=5)
    if output["type"] == "websocket.close":
        return int(output.get("code", 1000))
    return None
