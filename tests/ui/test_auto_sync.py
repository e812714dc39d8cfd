"""Background sync does not wait for the 15-minute timer (issue 11, m17): it starts shortly after work is saved
(one sync for a burst of saves) and as soon as a connection to the center appears, locked screen or not."""

from __future__ import annotations

import datetime as dt

import pytest
from textual.widgets import Input

from outreach.ui.app import OutreachApp
from outreach.ui.screens.visit import VisitScreen
from tests.support.context import make_context
from tests.support.pilot import settle, unlock

pytestmark = pytest.mark.anyio


@pytest.fixture
def center(tmp_path):
    from sync.center.embedded import EmbeddedCenter

    running = EmbeddedCenter(tmp_path / "center.db")
    url = running.start()
    yield running, url
    running.stop()


@pytest.fixture
def app_with_center(tmp_path, center):
    """The app as shipped (background sync on, a long timer), its laptop enrolled at the real center."""
    from sync.client.client import SyncClient

    running, url = center
    ctx = make_context(tmp_path / "laptop", sync_factory=lambda vault: SyncClient(vault, url))
    built: list[OutreachApp] = []

    def build(**timing: float) -> OutreachApp:
        app = OutreachApp(ctx, blink=False, idle_check_seconds=3600, auto_sync_minutes=60, **timing)
        built.append(app)
        return app

    yield build, ctx, running
    ctx.close()


async def _enrol(ctx, running) -> None:
    """Enrolled, and 王秀英 known at the center and on this worker's plan."""
    ctx.sync.enrol(running.url, running.store.create_enrol_code("w-test", "worker", None, dt.timedelta(hours=1)))
    pid = ctx.people.find("王秀英")[0].person_id
    now = dt.datetime.now(dt.UTC)
    running.store.load_people([ctx.people.person(pid).model_dump(mode="json")], now)
    running.store.assign("w-test", [pid], now)


async def _wait(pilot, done, seconds: float = 6.0) -> bool:
    for _ in range(int(seconds / 0.1)):
        await pilot.pause(0.1)
        if done():
            return True
    return done()


def _at_center(running, ctx, kind: str) -> int:
    """How many of this laptop's operations of ``kind`` the center applied."""
    mine = {op.op_id for op in ctx.session.vault.operations() if op.kind == kind}
    return sum(1 for op in running.store.operations() if op.op_id in mine and op.status == "applied")


async def test_a_saved_visit_is_sent_shortly_after_without_waiting_for_the_timer(app_with_center):
    build, ctx, running = app_with_center
    app = build(connection_check_seconds=0, sync_after_save_seconds=3)
    async with app.run_test(size=(80, 24)) as pilot:
        await unlock(pilot)
        await _enrol(ctx, running)
        pid = ctx.people.find("王秀英")[0].person_id
        app.open_person(pid)
        await settle(pilot)
        for present in ("本人", "本人, 女儿"):  # two saves in a row: one sync after the burst
            await pilot.press("v")
            await settle(pilot)
            assert isinstance(app.screen, VisitScreen)
            app.screen.query_one("#present", Input).value = present
            await pilot.press("ctrl+s")
            await settle(pilot)
            await pilot.press("enter")  # the receipt offer
            await settle(pilot)
        assert ctx.home.summary().pending_ops >= 2
        assert ctx.home.summary().last_sync is None  # not yet: the second save restarted the wait
        assert await _wait(pilot, lambda: ctx.home.summary().pending_ops == 0, seconds=10)
        assert _at_center(running, ctx, "visit.log") == 2
        assert ctx.home.summary().issues == []


async def test_a_connection_that_appears_starts_a_sync_even_behind_the_lock(app_with_center, tmp_path):
    from sync.center.embedded import EmbeddedCenter

    build, ctx, running = app_with_center
    app = build(connection_check_seconds=0.3, sync_after_save_seconds=0)
    async with app.run_test(size=(80, 24)) as pilot:
        await unlock(pilot)
        await _enrol(ctx, running)
        port, db = running.port, tmp_path / "center.db"
        running.stop()  # out of coverage
        assert await _wait(pilot, lambda: app.center_online is False)
        pid = ctx.people.find("王秀英")[0].person_id
        assert ctx.cards.record(pid, "person.update", {"mobile": "13833334444"}).saved
        app.action_lock()
        await settle(pilot)
        assert ctx.session.locked
        await pilot.pause(1.0)
        assert ctx.home.summary().pending_ops == 1  # nothing to send it to
        again = EmbeddedCenter(db, port=port)
        again.start()  # back in coverage
        try:
            assert await _wait(pilot, lambda: ctx.home.summary().pending_ops == 0)
            assert app.center_online is True
            assert _at_center(again, ctx, "person.update") == 1
        finally:
            again.stop()
