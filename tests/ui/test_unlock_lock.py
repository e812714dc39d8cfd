"""Unlock (first start and later), wrong passphrases, and the lock screen that hides everything."""

from __future__ import annotations

import time

import pytest
from textual.widgets import Input

from outreach.i18n import CATALOGUES
from outreach.ui.screens.home import HomeScreen
from outreach.ui.screens.lock import LockScreen
from outreach.ui.screens.search import SearchScreen
from outreach.ui.screens.unlock import UnlockScreen
from tests.support.context import PASSPHRASE
from tests.support.pilot import screen_text, settle, unlock

pytestmark = pytest.mark.anyio
ZH = CATALOGUES["zh_CN"]


async def test_wrong_passphrase_is_calm_then_the_right_one_opens(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await unlock(pilot, "wrong passphrase")
        assert isinstance(app.screen, UnlockScreen)
        assert ZH["unlock.wrong"] in screen_text(app)
        assert "Traceback" not in screen_text(app)
        assert app.screen.query_one("#passphrase", Input).value == ""
        app.ctx.session._not_before = 0.0  # do not wait out the back-off in a test
        app.screen._wait_left = 0
        app.screen.query_one("#passphrase", Input).disabled = False
        await unlock(pilot)
        assert isinstance(app.screen, HomeScreen)


async def test_first_start_creates_the_vault_with_the_passphrase_twice(make_app):
    app = make_app(create=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert ZH["unlock.create_title"] in screen_text(app)
        app.screen.query_one("#worker-id", Input).value = "w-test"
        app.screen.query_one("#passphrase", Input).value = PASSPHRASE
        await pilot.pause()
        assert ZH["strength.label"] in screen_text(app)
        app.screen.query_one("#again", Input).value = PASSPHRASE + "!"
        app.screen.query_one("#again", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert ZH["unlock.mismatch"] in screen_text(app)
        assert not app.ctx.session.exists()
        app.screen.query_one("#passphrase", Input).value = PASSPHRASE
        app.screen.query_one("#again", Input).value = PASSPHRASE
        app.screen.query_one("#again", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert app.ctx.session.exists()


async def test_lock_hides_the_data_and_keeps_what_was_typed(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await unlock(pilot)
        await pilot.press("s")
        await pilot.press("w", "x", "y")
        await settle(pilot)
        assert isinstance(app.screen, SearchScreen)
        assert "王秀英" in screen_text(app)
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert isinstance(app.screen, LockScreen)
        text = screen_text(app)
        assert "王秀英" not in text
        assert "460" not in text
        assert ZH["lock.title"] in text
        app.screen.query_one(Input).value = "nope"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, LockScreen)
        app.ctx.session._not_before = 0.0
        app.screen._wait_left = 0
        app.screen.query_one(Input).disabled = False
        app.screen.query_one(Input).value = PASSPHRASE
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SearchScreen)
        assert app.screen.query_one("#query", Input).value == "wxy"


async def test_idle_time_locks_the_app(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await unlock(pilot)
        app.last_activity = time.monotonic() - app.ctx.settings.idle_lock_minutes * 60 - 1
        app._check_idle()
        await pilot.pause()
        assert isinstance(app.screen, LockScreen)
        assert app.ctx.session.locked
