"""A damaged vault in the app: the worker is told at unlock that it can be read but not written, and how to
save what still verifies; a save is refused in words and the file is not changed."""

from __future__ import annotations

import pytest

from outreach.i18n import CATALOGUES
from outreach.ui.dialogs.message import MessageDialog
from outreach.ui.screens.home import HomeScreen
from tests.support.context import make_context
from tests.support.damage import flip, reset_attempts, roots
from tests.support.pilot import screen_text, settle, unlock
from tests.support.storage import file_state

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
async def test_a_damaged_vault_is_said_at_unlock_and_nothing_is_written(tmp_path, lang):
    from outreach.ui.app import OutreachApp

    ctx = make_context(tmp_path, lang=lang)
    path = ctx.session.path
    flip(path, roots(path)["visits"])  # one bit of one page: that page fails its HMAC check
    reset_attempts(path)
    before = file_state(path)
    app = OutreachApp(ctx, blink=False, auto_sync_minutes=0, idle_check_seconds=3600)
    cat = CATALOGUES[lang]
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await unlock(pilot)
            await settle(pilot)
            assert isinstance(app.screen, MessageDialog), screen_text(app)
            text = screen_text(app)
            assert cat["damaged.title"] in text
            assert "vault salvage" in text
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, HomeScreen)
            pid = ctx.people.find("符亚明")[0].person_id  # still readable
            result = ctx.cards.record(pid, "card.loss_temporary", {"period": "15d", "identity_verified": True})
            assert not result.saved
    finally:
        ctx.close()
    assert file_state(path) == before
