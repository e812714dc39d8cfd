"""Sync: progress, rejections shown with both sides and resolved; cancel. Settings: language, theme."""

from __future__ import annotations

import threading

import pytest

from outreach.i18n import CATALOGUES
from outreach.ui.dialogs.resolve import ResolveDialog
from outreach.ui.screens.home import HomeScreen
from outreach.ui.screens.settings import SettingsScreen
from outreach.ui.screens.sync import SyncScreen
from outreach.ui.widgets.sync.issues import IssueTable
from sync.client.client import SyncSummary
from tests.support.pilot import screen_text, settle, unlock

pytestmark = pytest.mark.anyio
ZH = CATALOGUES["zh_CN"]


class RejectingCenter:
    """A fake sync client answering with the real client's ``SyncSummary`` (the real center is driven in tests/sync and tests/services): its center rejects
    everything pushed, answering as the real one does, with its reason, its state of the person's cards and
    the operation a colleague had sent before."""

    def __init__(self, vault):
        self.vault = vault

    def sync_once(self, *, progress=None, cancel=None):
        pending = self.vault.pending_operations()
        if progress:
            progress("push", len(pending), len(pending))
        self.vault.record_push_results([
            {"op_id": op.op_id, "status": "rejected", "code": "card_cancelled",
             "message_zh": "中心记录此卡已注销", "message_en": "the center has this card cancelled",
             "base_version": op.base_version, "center_version": op.base_version + 1,
             "theirs": [{"op_id": "c-1", "kind": "card.cancel", "worker_id": "w-colleague", "device_id": "d-2",
                         "hlc": "1", "received_at": "2026-11-01T02:00:00+00:00"}],
             "center_state": {"person_id": op.subject, "version": op.base_version + 1, "cards": [
                 {"card_id": "c", "person_id": op.subject, "status": "cancelled", "card_number": "H46010009",
                  "cancelled_on": "2026-11-01"}]}}
            for op in pending
        ])
        return SyncSummary(rejected=len(pending))


class SlowCenter:
    """Waits until cancelled (or 5 s)."""

    def __init__(self, vault):
        self.started = threading.Event()

    def sync_once(self, *, progress=None, cancel=None):
        self.started.set()
        if progress:
            progress("push", 0, 10)
        cancel.wait(5)
        return SyncSummary(cancelled=cancel.is_set())


async def test_a_sync_with_rejections_shows_them_and_they_can_be_resolved(make_app):
    app = make_app(sync_factory=RejectingCenter)
    async with app.run_test(size=(120, 40)) as pilot:
        await unlock(pilot)
        pid = app.ctx.people.find("王秀英")[0].person_id
        app.ctx.cards.record(pid, "card.loss_temporary", {"period": "15d", "identity_verified": True})
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, SyncScreen)
        await pilot.press("s")
        await settle(pilot)
        text = screen_text(app)
        assert ZH["sync.done"] in text
        assert ZH["issue.rejected"] in text
        assert "中心记录此卡已注销" in text
        assert "王秀英" in text
        table = app.screen.query_one(IssueTable)
        assert table.row_count == 1
        table.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ResolveDialog)
        text = screen_text(app)
        base, mine, theirs = (str(app.screen.query_one(f"#side-{s} .side-lines").render())
                              for s in ("base", "mine", "theirs"))
        assert ZH["resolve.base_side"] in text
        assert ZH["resolve.mine_side"] in text
        assert ZH["resolve.theirs_side"] in text
        assert ZH["status.active"] in base  # her card as the worker saw it when saving
        assert ZH["kind.card.loss_temporary"] in mine
        assert ZH["status.temp_lost"] in mine
        assert ZH["status.cancelled"] in theirs
        assert "w-colleague" in theirs  # who changed it at the center, and when
        assert ZH["kind.card.cancel"] in theirs
        await pilot.press("2")
        await settle(pilot)
        assert isinstance(app.screen, SyncScreen)
        assert app.screen.query_one(IssueTable).row_count == 0
        assert ZH["status.cancelled"] in str(app.screen.query_one("#sync-status").render())  # her card as the center has it
        resolved = [o for o in app.ctx.session.vault.operations() if o.kind == "conflict.resolve"]
        assert resolved[0].payload["choice"] == "theirs"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert ZH["home.issues"].format(count=1) not in screen_text(app)


async def test_sync_can_be_cancelled(make_app):
    app = make_app(sync_factory=SlowCenter)
    async with app.run_test(size=(80, 24)) as pilot:
        await unlock(pilot)
        await pilot.press("y")
        await settle(pilot)
        await pilot.press("s")
        for _ in range(50):
            await pilot.pause(0.05)
            if app.sync_running and app.ctx.sync._client and app.ctx.sync._client.started.is_set():
                break
        await pilot.press("c")
        await settle(pilot)
        assert not app.sync_running
        assert ZH["sync.cancelled"] in screen_text(app)


async def test_without_a_center_sync_says_unavailable(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await unlock(pilot)
        await pilot.press("y")
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert ZH["sync.unavailable"][:10] in screen_text(app)


async def test_switching_to_english_rebuilds_the_screens(make_app):
    from textual.widgets import Select

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await unlock(pilot)
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, SettingsScreen)
        app.screen.query_one("#language", Select).value = "en"
        app.screen.query_one("#theme", Select).value = "high-contrast"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        text = screen_text(app)
        assert CATALOGUES["en"]["bind.search"] in text
        assert CATALOGUES["en"]["home.nothing"] in text
        assert app.theme == "high-contrast"
        assert app.ctx.settings.language == "en"


@pytest.mark.parametrize(("field", "typed", "key"), [
    ("#idle", "0", "settings.idle_range"),
    ("#idle", "241", "settings.idle_range"),
    ("#idle", "", "settings.idle_range"),
    ("#center", "ftp://center.example", "settings.center_bad"),
])
async def test_settings_the_model_refuses_are_shown_and_nothing_is_saved(make_app, field, typed, key):
    """The settings model is the one check of the bounds: the screen shows what it refused, in words."""
    from textual.widgets import Input, Static

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await unlock(pilot)
        before = app.ctx.settings
        await pilot.press("o")
        await settle(pilot)
        app.screen.query_one(field, Input).value = typed
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, SettingsScreen)
        shown = str(app.screen.query_one("#form-errors", Static).render())
        assert ZH[key].format(low=1, high=240) in shown
        assert app.ctx.settings == before
