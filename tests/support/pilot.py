"""Driving the Textual app with Pilot: let work settle, unlock, read the screen as text."""

from __future__ import annotations

import contextlib

from tests.support.context import PASSPHRASE


async def settle(pilot) -> None:
    """Let workers finish and their messages land."""
    from textual.worker import WorkerCancelled

    for _ in range(3):
        with contextlib.suppress(WorkerCancelled):  # an exclusive worker superseded by a newer one
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def unlock(pilot, passphrase: str = PASSPHRASE) -> None:
    from textual.widgets import Input

    await pilot.pause()
    pilot.app.screen.query_one("#passphrase", Input).value = passphrase
    await pilot.press("enter")
    await settle(pilot)


def screen_text(app) -> str:
    """Everything visible now (plain text of an SVG screenshot)."""
    import html
    import re

    svg = app.export_screenshot()
    text = html.unescape(re.sub(r"<[^>]+>", "", svg))
    return text.replace("\xa0", " ")


async def wait_for(pilot, predicate, timeout: float = 10.0) -> None:
    """Settle until ``predicate()`` holds (a chain of worker, message and dialog takes longer on a loaded
    machine than one ``settle``); the caller's assertion then says what did not happen."""
    import time

    end = time.monotonic() + timeout
    while not predicate() and time.monotonic() < end:
        await settle(pilot)
        await pilot.pause(0.05)
