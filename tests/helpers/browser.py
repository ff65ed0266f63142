"""Debian's Chromium as the tests drive it through Playwright."""

from __future__ import annotations

from playwright.sync_api import Browser, ConsoleMessage, Page, Playwright

from tests.paths import TESTS

CHROMIUM = "/usr/bin/chromium"  # installed by the README's test command (apt: chromium)
ARTIFACTS = TESTS / "artifacts"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def launch(playwright: Playwright) -> Browser:
    """Chromium headless, as the tests run it."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)


def console_errors(page: Page) -> list[str]:
    """The errors the page logs from now on (a blocked style or script is one)."""
    errors: list[str] = []

    def keep(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("console", keep)
    return errors
