"""Debian's chromium for Playwright, as the browser tests and benchmarks launch it."""

from __future__ import annotations

from playwright.sync_api import Browser, Playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",  # talk only to the console under test
]


def launch(play: Playwright) -> Browser:
    """A headless chromium."""
    return play.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
