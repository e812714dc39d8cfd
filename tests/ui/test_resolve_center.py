"""Conflict and rejection resolution against the real center over loopback (issue 11, M8): each choice does
what it says, and the screen shows the values before the choice and after it."""

from __future__ import annotations

import datetime as dt

import pytest

from outreach.i18n import CATALOGUES
from outreach.ui.dialogs.resolve import ResolveDialog
from outreach.ui.screens.sync import SyncScreen
from outreach.ui.widgets.sync.issues import IssueTable
from tests.support.context import PASSPHRASE
from tests.support.pilot import screen_text, settle, unlock

pytestmark = pytest.mark.anyio
ZH = CATALOGUES["zh_CN"]


@pytest.fixture
def center(tmp_path):
    from sync.center.embedded import EmbeddedCenter

    running = EmbeddedCenter(tmp_path / "center.db")
    url = running.start()
    yield running, url
    running.stop()


def _client(url):
    from sync.client.client import SyncClient

    return lambda vault: SyncClient(vault, url)


def _enrol(app, running, url) -> None:
    app.ctx.sync._factory = _client(url)
    app.ctx.sync.enrol(url, running.store.create_enrol_code("w-test", "worker", None, dt.timedelta(hours=1)))


def _colleague(tmp_path, running, url):
    """A second laptop (worker w-other) enrolled at the same center."""
    from storage import Vault
    from sync.client.client import enrol, sync_once

    other = Vault.create(tmp_path / "other.db", PASSPHRASE, worker_id="w-other")
    enrol(other, url, running.store.create_enrol_code("w-other", "worker", None, dt.timedelta(hours=1)))
    sync_once(other, url)
    return other


def _share(app, running, pid) -> None:
    """The person is known at the center and on both workers' plans."""
    now = dt.datetime.now(dt.UTC)
    running.store.load_people([app.ctx.people.person(pid).model_dump(mode="json")], now)
    running.store.assign("w-other", [pid], now)
    running.store.assign("w-test", [pid], now)


async def _open_issue(app, pilot) -> ResolveDialog:
    app.push_screen(SyncScreen())
    await settle(pilot)
    await pilot.press("s")
    await settle(pilot)
    await pilot.pause(0.2)
    await settle(pilot)
    table = app.screen.query_one(IssueTable)
    assert table.row_count == 1, screen_text(app)
    table.focus()
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(app.screen, ResolveDialog)
    return app.screen


async def _sync_again(app, pilot) -> None:
    await pilot.press("s")
    await settle(pilot)
    await pilot.pause(0.2)
    await settle(pilot)


def _side(dialog: ResolveDialog, side: str) -> str:
    return str(dialog.query_one(f"#side-{side} .side-lines").render())


async def test_taking_the_centers_value_restores_the_colleagues_mobile_here_and_at_the_center(
        make_app, center, tmp_path):
    from sync.client.client import sync_once

    running, url = center
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await unlock(pilot)
        _enrol(app, running, url)
        pid = app.ctx.people.find("王秀英")[0].person_id
        assert app.ctx.sync.run().error_key is None
        _share(app, running, pid)
        other = _colleague(tmp_path, running, url)
        theirs = other.get_person(pid)
        other.append("person.update", pid, {"person": theirs.model_dump(mode="json") | {"mobile": "13911112222"}})
        assert sync_once(other, url).applied == 1

        assert app.ctx.cards.record(pid, "person.update", {"mobile": "13833334444"}).saved
        dialog = await _open_issue(app, pilot)
        # before: mine and the center's value it overwrote, both masked, side by side
        assert "138****4444" in _side(dialog, "mine")
        assert "139****2222" in _side(dialog, "theirs")
        assert "w-other" in _side(dialog, "theirs")
        await pilot.press("2")
        await settle(pilot)
        assert isinstance(app.screen, SyncScreen)
        status = str(app.screen.query_one("#sync-status").render())
        assert ZH["resolve.theirs"] in status
        assert "139****2222" in status  # after: what this laptop now holds
        assert app.ctx.people.person(pid).mobile == "13911112222"
        assert app.screen.query_one(IssueTable).row_count == 0

        await _sync_again(app, pilot)
        assert app.screen.query_one(IssueTable).row_count == 0  # the center took it without a new conflict
        assert app.ctx.people.person(pid).mobile == "13911112222"
    sync_once(other, url)
    assert other.get_person(pid).mobile == "13911112222"  # the colleague's laptop sees its value kept
    other.close()


async def test_keeping_mine_sends_it_again_and_the_center_takes_my_mobile(make_app, center, tmp_path):
    from sync.client.client import sync_once

    running, url = center
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await unlock(pilot)
        _enrol(app, running, url)
        pid = app.ctx.people.find("王秀英")[0].person_id
        assert app.ctx.sync.run().error_key is None
        _share(app, running, pid)
        other = _colleague(tmp_path, running, url)
        theirs = other.get_person(pid)
        other.append("person.update", pid, {"person": theirs.model_dump(mode="json") | {"mobile": "13911112222"}})
        assert sync_once(other, url).applied == 1

        assert app.ctx.cards.record(pid, "person.update", {"mobile": "13833334444"}).saved
        dialog = await _open_issue(app, pilot)
        assert "138****4444" in _side(dialog, "mine")
        await pilot.press("1")
        await settle(pilot)
        status = str(app.screen.query_one("#sync-status").render())
        assert ZH["resolve.mine"].split("，")[1] in status  # 重新提交
        assert "138****4444" in status
        assert app.ctx.home.summary().pending_ops >= 1  # a new operation waits to be sent: nothing vanished
        await _sync_again(app, pilot)
        assert app.screen.query_one(IssueTable).row_count == 0
        assert app.ctx.people.person(pid).mobile == "13833334444"
    sync_once(other, url)
    assert other.get_person(pid).mobile == "13833334444"  # the center holds mine, and the colleague sees it
    other.close()
