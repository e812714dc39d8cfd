"""The worker at the door (issue 11): who the worker is on first run, enrolment said in words, no built-in
commands that write the screen to a file, focus on the first error, and drafts kept through Esc, quit, lock."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from textual.widgets import Input

from outreach.i18n import CATALOGUES
from outreach.ui.dialogs.choice import ChoiceDialog
from outreach.ui.screens.form import FormScreen
from outreach.ui.screens.home import HomeScreen
from outreach.ui.screens.lock import LockScreen
from outreach.ui.screens.settings import SettingsScreen
from outreach.ui.widgets.forms.form_field import FormField
from tests.support.context import PASSPHRASE
from tests.support.pilot import screen_text, settle, unlock

pytestmark = pytest.mark.anyio
ZH = CATALOGUES["zh_CN"]


async def test_first_run_asks_who_the_worker_is_and_the_vault_carries_it(make_app):
    app = make_app(create=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.screen.focused.id == "worker-id"
        app.screen.query_one("#passphrase", Input).value = PASSPHRASE
        app.screen.query_one("#again", Input).value = PASSPHRASE
        app.screen.query_one("#again", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert not app.ctx.session.exists()  # no worker ID: nothing created, and the screen says why
        assert ZH["unlock.worker_needed"][:10] in screen_text(app)
        app.screen.query_one("#worker-id", Input).value = "worker2"
        app.screen.query_one("#again", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert app.ctx.session.vault.worker_id == "worker2"


@pytest.fixture
def center(tmp_path):
    from sync.center.embedded import EmbeddedCenter

    running = EmbeddedCenter(tmp_path / "center.db")
    url = running.start()
    yield running, url
    running.stop()


async def _enrol_from_settings(app, pilot, url, code):
    app.push_screen(SettingsScreen())
    await settle(pilot)
    app.screen.query_one("#center", Input).value = url
    app.screen.query_one("#enrol-code", Input).value = code
    await pilot.press("ctrl+s")
    await settle(pilot)
    await pilot.pause(0.2)
    await settle(pilot)
    return str(app.screen.query_one("#enrol-status").render())


async def test_enrolment_from_settings_says_what_happened_and_what_to_do(make_app, center):
    running, url = center
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await unlock(pilot)
        wrong = running.store.create_enrol_code("someone-else", "worker", None, dt.timedelta(hours=1))
        status = await _enrol_from_settings(app, pilot, url, wrong)
        assert isinstance(app.screen, SettingsScreen)  # the screen stays: the outcome is read here
        assert "w-test" in status
        assert "✕" in status
        right = running.store.create_enrol_code("w-test", "worker", None, dt.timedelta(hours=1))
        app.screen.query_one("#enrol-code", Input).value = right
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.pause(0.2)
        await settle(pilot)
        status = str(app.screen.query_one("#enrol-status").render())
        assert "✓" in status
        assert "w-test" in status


async def test_the_palette_has_no_screenshot_theme_or_english_system_commands(make_app, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await unlock(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause(0.5)
        text = screen_text(app)
        for english in ("Screenshot", "Theme", "Keys", "Maximize"):
            assert english not in text
        await pilot.press("escape")
        app.action_screenshot()
        await pilot.pause()
    assert not list(tmp_path.rglob("*.svg"))


async def test_after_a_failed_save_the_focus_is_on_the_first_wrong_field(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await unlock(pilot)
        app.push_screen(FormScreen("card.apply", None))
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        first = next(f for f in app.screen.query(FormField) if f.has_class("invalid"))
        assert app.screen.focused.id == f"in-{first.spec.name}"


async def test_typing_at_100_ms_a_key_lands_in_the_field_tabbed_to(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await unlock(pilot)
        app.push_screen(FormScreen("card.apply", None))
        await settle(pilot)
        app.screen.query_one("#in-valid_from", Input).focus()
        for key in ["X", "1", "tab", "Y", "2", "tab", "Z", "3", "tab", "W", "4"]:
            await pilot.press(key)
            await asyncio.sleep(0.1)
        await settle(pilot)
        got = {n: app.screen.query_one(f"#in-{n}", Input).value for n in ("valid_from", "valid_until", "mobile")}
        assert got == {"valid_from": "X1", "valid_until": "Y2", "mobile": "Z3"}
        assert app.screen.query_one("#in-occupation", Input).value == "W4"


async def _half_filled(app, pilot):
    app.push_screen(FormScreen("card.apply", None))
    await settle(pilot)
    app.screen.query_one("#in-name", Input).focus()
    await pilot.press(*"abc")
    app.screen.query_one("#in-name", Input).value = "测试人"
    await pilot.pause(0.8)  # the debounced draft
    await settle(pilot)


async def test_esc_asks_and_a_kept_draft_is_offered_back_after_a_restart(make_app, tmp_path):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await unlock(pilot)
        await _half_filled(app, pilot)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceDialog)  # asked, not thrown away
        await pilot.press("enter")  # the first choice: keep a draft
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        [draft] = app.ctx.drafts.list()
        assert draft.values["name"] == "测试人"
    app.ctx.close()
    from outreach.services.context import AppContext
    from outreach.ui.app import OutreachApp

    again = OutreachApp(AppContext(app.ctx.settings, clock=app.ctx.clock), blink=False, auto_sync_minutes=0,
                        idle_check_seconds=3600)
    async with again.run_test(size=(80, 24)) as pilot:
        await unlock(pilot)
        await settle(pilot)
        assert isinstance(again.screen, ChoiceDialog)
        assert "测试人" not in screen_text(again)  # the offer names the form, not the typed data
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(again.screen, FormScreen)
        assert again.screen.query_one("#in-name", Input).value == "测试人"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("down", "enter")  # discard
        await settle(pilot)
        assert again.ctx.drafts.list() == []
    again.ctx.close()


async def test_quit_asks_and_keeps_the_draft(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await unlock(pilot)
        await _half_filled(app, pilot)
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.press("down", "down", "enter")  # go back: nothing quits, nothing is lost
        await pilot.pause()
        assert isinstance(app.screen, FormScreen)
        await pilot.press("ctrl+q")
        await pilot.pause()
        await pilot.press("enter")  # keep and quit
        await settle(pilot)
    assert [d.values["name"] for d in app.ctx.drafts.list()] == ["测试人"]


async def test_lock_keeps_the_draft_in_the_vault(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await unlock(pilot)
        app.push_screen(FormScreen("card.apply", None))
        await settle(pilot)
        app.screen.query_one("#in-name", Input).value = "锁屏前"
        await pilot.press("ctrl+l")  # at once, before the debounced draft
        await pilot.pause()
        assert isinstance(app.screen, LockScreen)
        assert [d.values["name"] for d in app.ctx.drafts.list()] == ["锁屏前"]


CHILD = """
import asyncio, sys
from pathlib import Path
from textual.widgets import Input
from tests.support.context import make_context, PASSPHRASE
from outreach.ui.app import OutreachApp
from outreach.ui.screens.form import FormScreen

async def main():
    ctx = make_context(Path(sys.argv[1]), create=False)
    app = OutreachApp(ctx, blink=False, auto_sync_minutes=0, idle_check_seconds=3600)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.screen.query_one("#passphrase", Input).value = PASSPHRASE
        await pilot.press("enter")
        for _ in range(100):
            await pilot.pause(0.1)
            if app.ctx.session.is_open:
                break
        app.push_screen(FormScreen("card.apply", None))
        await pilot.pause(0.5)
        app.screen.query_one("#in-name", Input).focus()
        await pilot.press(*"kill")
        await pilot.pause(1.5)
        print("typed", flush=True)
        await asyncio.sleep(60)

asyncio.run(main())
"""


def test_a_killed_app_loses_nothing_typed(tmp_path):
    """SIGKILL of the process running the app with a half-filled form: the draft is in the vault."""
    import os
    import signal
    import subprocess
    import sys
    from pathlib import Path

    from tests.support.context import make_context

    make_context(tmp_path).close()  # a vault file to open
    repo = Path(__file__).resolve().parents[2]
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(tmp_path)], cwd=repo, stdout=subprocess.PIPE,
                             env={**os.environ, "PYTHONPATH": str(repo)}, text=True)
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "typed"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(10)
        if child.stdout is not None:
            child.stdout.close()
    ctx = make_context(tmp_path, create=False)
    try:
        ctx.session.unlock(PASSPHRASE)
        assert [d.values["name"] for d in ctx.drafts.list()] == ["kill"]
    finally:
        ctx.close()
