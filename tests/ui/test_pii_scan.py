"""After a full UI session (search, reveals, forms saved and half-filled, a visit, the palette, sync, settings,
lock, quit) no identity number, mobile or Chinese name of the seeded people is in any file outside the vault
(issue 11): the home, data, config, cache and temporary folders are scanned, and a debug log of the session."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

import pytest
from textual.widgets import Input, OptionList

from outreach.ui.screens.form import FormScreen
from outreach.ui.screens.person import PersonScreen
from outreach.ui.screens.settings import SettingsScreen
from outreach.ui.screens.sync import SyncScreen
from outreach.ui.widgets.forms.form_field import FormField
from tests.support.context import PEOPLE
from tests.support.pilot import screen_text, settle, unlock

pytestmark = pytest.mark.anyio

NEW_MOBILE = "13855556666"


def _secrets(app) -> dict[str, str]:
    """What must never leave the vault: each seeded person's name, identity number and mobile, unmasked."""
    found: dict[str, str] = {"new mobile": NEW_MOBILE}
    for name, *_ in PEOPLE:
        person = app.ctx.people.person(app.ctx.people.find(name)[0].person_id)
        found[f"{name} name"] = person.name
        found[f"{name} id"] = person.document.number
        if person.mobile:
            found[f"{name} mobile"] = person.mobile
    return found


def _leaks(root: Path, vault: Path, secrets: dict[str, str]) -> list[str]:
    """Files under ``root`` (the vault file and its encrypted companions excepted) holding a secret, as UTF-8,
    UTF-16 or GB18030."""
    leaks = []
    for path in root.rglob("*"):
        if not path.is_file() or path.name.startswith(vault.name):
            continue
        data = path.read_bytes()
        for what, value in secrets.items():
            if any(value.encode(codec) in data for codec in ("utf-8", "utf-16-le", "gb18030")):
                leaks.append(f"{path.relative_to(root)}: {what}")
    return leaks


async def _reveal_all(pilot, app) -> None:
    for index in range(4):  # every sensitive field, one after the other
        await pilot.press("m")
        await settle(pilot)
        options = app.screen.query_one(OptionList)
        options.highlighted = index
        await pilot.press("enter")
        await settle(pilot)


async def test_a_full_session_leaves_no_personal_data_outside_the_vault(make_app, tmp_path, monkeypatch):
    home = tmp_path / "home"
    for name in ("HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME", "TMPDIR"):
        folder = home / name.lower()
        folder.mkdir(parents=True, exist_ok=True)
        monkeypatch.setenv(name, str(home if name == "HOME" else folder))
    monkeypatch.setenv("OUTREACH_DATA_DIR", str(home / "data"))
    monkeypatch.setenv("OUTREACH_CONFIG_DIR", str(home / "config"))
    monkeypatch.setattr(tempfile, "tempdir", str(home / "tmpdir"))
    log_file = home / "session-debug.log"
    handler = logging.FileHandler(log_file, encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    app = make_app()
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await unlock(pilot)
            secrets = _secrets(app)
            await pilot.press("s")
            await pilot.press("w", "x", "y")
            await settle(pilot)
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, PersonScreen)
            pid = app.screen.person_id
            await _reveal_all(pilot, app)
            assert secrets["王秀英 id"] in screen_text(app)  # shown on screen, revealed
            await pilot.press("ctrl+p")  # the palette, a command run from it
            await pilot.pause(0.5)
            app.screen.query_one(Input).value = "刷新"
            await pilot.pause(0.5)
            await pilot.press("enter")
            await settle(pilot)
            for kind, values in (("person.update", {"mobile": NEW_MOBILE}), ("card.loss_temporary", {})):
                app.push_screen(FormScreen(kind, pid))
                await settle(pilot)
                for field in app.screen.query(FormField):
                    if field.spec.name in values:
                        field.set_value(values[field.spec.name])
                await pilot.press("ctrl+s")
                await settle(pilot)
                await pilot.press("enter")  # the saved dialog or receipt offer
                await settle(pilot)
            await pilot.press("v")  # a visit, with its receipt offer
            await settle(pilot)
            await pilot.press("ctrl+s")
            await settle(pilot)
            await pilot.press("enter")
            await settle(pilot)
            app.push_screen(FormScreen("card.apply", None))  # a half-filled form kept as a draft on lock and quit
            await settle(pilot)
            for field in app.screen.query(FormField):
                if field.spec.name == "name":
                    field.set_value("王秀英")
                if field.spec.name == "doc_number":
                    field.set_value(secrets["王秀英 id"])
            app.action_lock()
            await settle(pilot)
            await pilot.press(*"correct horse battery staple")
            await pilot.press("enter")
            await settle(pilot)
            app.push_screen(SyncScreen())
            await settle(pilot)
            await pilot.press("s")
            await settle(pilot)
            await pilot.press("escape")
            await settle(pilot)
            app.push_screen(SettingsScreen())
            await settle(pilot)
            await pilot.press("ctrl+s")
            await settle(pilot)
            kinds = {op.kind for op in app.ctx.session.vault.operations()}
            assert {"audit.reveal", "person.update", "card.loss_temporary", "visit.log"} <= kinds  # all done
            app.action_screenshot()
            await app.action_quit()
            await settle(pilot)
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
        handler.close()
    assert log_file.exists()
    assert app.ctx.settings.vault_path.parent == tmp_path
    assert _leaks(tmp_path, app.ctx.settings.vault_path, secrets) == []


def test_the_scan_finds_a_secret_written_outside_the_vault(tmp_path):
    """The scanner itself: a name in a settings file, a number in UTF-16 in a cache, the vault skipped."""
    (tmp_path / "vault.db").write_bytes("王秀英".encode())
    (tmp_path / "settings.json").write_text('{"last": "王秀英"}', encoding="utf-8")
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / "x.bin").write_bytes("460106194803081025".encode("utf-16-le"))
    found = _leaks(tmp_path, tmp_path / "vault.db", {"name": "王秀英", "id": "460106194803081025"})
    assert sorted(found) == ["cache/x.bin: id", "settings.json: name"]
