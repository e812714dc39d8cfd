"""Search as you type, the person page masked until revealed, the card-insert flow, the palette."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, OptionList

from outreach.i18n import CATALOGUES
from outreach.ui.commands import ScreenCommands
from outreach.ui.screens.home import HomeScreen
from outreach.ui.screens.person import PersonScreen
from outreach.ui.screens.search import SearchScreen
from tests.support.context import PEOPLE, citizen_id
from tests.support.pilot import screen_text, settle, unlock

pytestmark = pytest.mark.anyio
ZH = CATALOGUES["zh_CN"]


async def test_typing_finds_and_enter_opens_the_person(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await unlock(pilot)
        await pilot.press("s")
        await pilot.press("w", "x", "y")
        await settle(pilot)
        assert isinstance(app.screen, SearchScreen)
        table = app.screen.query_one(DataTable)
        assert table.row_count == 1
        assert "王秀英" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PersonScreen)
        assert app.screen.person_id == app.ctx.people.find("王秀英")[0].person_id


async def test_person_page_masks_and_reveal_is_logged(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await unlock(pilot)
        pid = app.ctx.people.find("王秀英")[0].person_id
        number = app.ctx.people.person(pid).document.number
        app.open_person(pid)
        await settle(pilot)
        text = screen_text(app)
        assert "王秀英" in text
        assert number not in text
        assert number[-4:] in text
        assert ZH["status.active"] in text
        assert "01 汉族" in text  # the ethnicity by name, not only its GB 3304 code
        assert "127.0.0.1" not in text
        await pilot.press("m")
        await pilot.pause()
        assert isinstance(app.screen.query_one(OptionList), OptionList)
        await pilot.press("enter")  # the first choice: the identity number
        await settle(pilot)
        assert number in screen_text(app)
        reveals = [o for o in app.ctx.session.vault.operations() if o.kind == "audit.reveal"]
        assert [(o.subject, o.payload["field"]) for o in reveals] == [(pid, "id_number")]
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)


async def test_inserting_a_card_opens_its_holder(make_app):
    from hardware.factory import open_reader
    from hardware.simulator.profiles import build_profile

    name, gender, born, area, _status, card_number = PEOPLE[0]
    ssn = citizen_id(area, born, 10, gender == "2")
    reader = open_reader("simulator", profile=build_profile(name=name, ssn=ssn, card_number=card_number))
    app = make_app(reader_factory=lambda: reader)
    async with app.run_test(size=(80, 24)) as pilot:
        await unlock(pilot)
        for _ in range(20):
            await settle(pilot)
            if isinstance(app.screen, PersonScreen):
                break
            await pilot.pause(0.1)
        assert isinstance(app.screen, PersonScreen)
        assert app.screen.person_id == app.ctx.people.find(name)[0].person_id


async def test_no_reader_is_said_in_words(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await unlock(pilot)
        await settle(pilot)
        assert ZH["reader.none"] in screen_text(app)


async def test_palette_lists_the_screen_bindings(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await unlock(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        from textual.command import CommandPalette

        assert isinstance(app.screen, CommandPalette)
        await pilot.press("escape")
        await pilot.pause()
        provider = ScreenCommands(app.screen)
        titles = [title for title, _action, _help in provider._commands()]
        assert ZH["bind.search"] in titles
        assert ZH["bind.lock"] in titles
        assert ZH["bind.sync"] in titles
