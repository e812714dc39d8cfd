"""The forms at the door (issue 11, part A): typing lands where the screen points, a review before an
irreversible event, masked numbers on a form opened from a person, dates typed the usual ways, required
fields marked, every error shown at once and cleared when fixed, whose record it is, photos from a folder."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from textual import events
from textual.widgets import Input
from ui.conftest import settle, unlock

from outreach.i18n import CATALOGUES
from outreach.ui.screens.form import FormScreen

pytestmark = pytest.mark.anyio
ZH = CATALOGUES["zh_CN"]


def type_like_a_terminal(app, keys: list[str], gap: float = 0.1, stall: float = 0.0) -> threading.Thread:
    """Send keys the way the terminal driver does: from its own thread, ``gap`` seconds apart, without
    waiting for the app to handle them. ``stall``: after each Tab the event loop is busy that long, as it is
    when the form redraws on a slow laptop (a full repaint of the form took 150-210 ms on the test machine)."""
    driver = app._driver
    loop = asyncio.get_running_loop()

    def run() -> None:
        for key in keys:
            event = events.Key(key, "\t" if key == "tab" else key)
            event.set_sender(app)
            driver.send_message(event)
            if key == "tab" and stall:
                loop.call_soon_threadsafe(time.sleep, stall)
            time.sleep(gap)

    thread = threading.Thread(target=run)
    thread.start()
    return thread


async def typed(pilot, keys: list[str], stall: float = 0.0) -> None:
    thread = type_like_a_terminal(pilot.app, keys, stall=stall)
    while thread.is_alive():
        await asyncio.sleep(0.05)
    await settle(pilot)


@pytest.mark.parametrize("stall", [0.0, 0.15])
async def test_keys_100_ms_apart_after_a_failed_save_land_in_the_field_tabbed_to(make_app, stall):
    """M6, M7: a Tab moves the focus when the app reads it, so the next key goes to the next field even when
    a redraw holds the event loop longer than the gap between keys."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await unlock(pilot)
        app.push_screen(FormScreen("card.apply", None))
        await settle(pilot)
        await pilot.press("ctrl+s")  # a failed save: errors under the fields, focus on the first one
        await settle(pilot)
        assert app.screen.focused.id == "in-name"
        app.screen.query_one("#in-valid_from", Input).focus()
        await pilot.pause()
        await typed(pilot, ["X", "1", "tab", "Y", "2", "tab", "Z", "3", "tab", "W", "4", "tab", "V", "5"],
                    stall=stall)
        got = {n: app.screen.query_one(f"#in-{n}", Input).value
               for n in ("name", "valid_from", "valid_until", "mobile", "occupation", "address")}
        assert got == {"name": "", "valid_from": "X1", "valid_until": "Y2", "mobile": "Z3", "occupation": "W4",
                       "address": "V5"}
