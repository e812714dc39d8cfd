"""The service menu offers what the card's state allows, each with its own key, and says why the rest is not
offered (issue 11, M11): no form filled in vain before a rule refusal."""

from __future__ import annotations

import pytest
from textual.widgets import OptionList

from outreach.i18n import CATALOGUES
from outreach.ui.dialogs.services import KEYS, ServiceMenu
from outreach.ui.screens.form import FormScreen
from tests.support.context import card_dump, set_cards
from tests.support.pilot import screen_text, settle, unlock

pytestmark = pytest.mark.anyio
ZH = CATALOGUES["zh_CN"]


def _menu_lines(app) -> tuple[list[str], list[str]]:
    options = app.screen.query_one(OptionList)
    shown = [options.get_option_at_index(i) for i in range(options.option_count)]
    offered = [str(o.prompt) for o in shown if not o.disabled]
    refused = [str(o.prompt) for o in shown if o.disabled and o.id != "-others"]
    return offered, refused


def _line(lines: list[str], kind: str) -> str | None:
    """The menu line of one service: its title comes right after the key (or the ✕), before any reason."""
    title = ZH["form.title." + kind]
    return next((line for line in lines if line.split(" — ")[0].split("  ", 1)[1] == title), None)


async def _open_menu(app, pilot, name: str) -> str:
    pid = app.ctx.people.find(name)[0].person_id
    app.open_person(pid)
    await settle(pilot)
    await pilot.press("e")
    await settle(pilot)
    assert isinstance(app.screen, ServiceMenu)
    return pid


async def test_an_active_card_is_not_offered_a_first_application_and_the_menu_says_why(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await unlock(pilot)
        await _open_menu(app, pilot, "王秀英")  # active card
        offered, refused = _menu_lines(app)
        assert _line(offered, "card.loss_temporary") == KEYS["card.loss_temporary"] + "  " + ZH[
            "form.title.card.loss_temporary"]
        assert _line(offered, "person.update")
        assert _line(offered, "card.apply") is None
        apply_line = _line(refused, "card.apply")
        assert "一人一卡" in apply_line
        assert apply_line.startswith("✕")  # marked by a sign and in words, not by colour
        assert ZH["menu.not_offered"] in apply_line
        assert "正式挂失" in _line(refused, "card.replace")  # 补领须先办理正式挂失
        assert _line(refused, "card.unlock")
        assert ZH["menu.others"] in screen_text(app)
        await pilot.press(KEYS["card.apply"])  # not offered: its key does nothing
        await pilot.pause()
        assert isinstance(app.screen, ServiceMenu)
        await pilot.press(KEYS["person.update"])  # one key, no ten presses of ↓
        await settle(pilot)
        assert isinstance(app.screen, FormScreen)
        assert app.screen.kind == "person.update"


async def test_a_temporarily_lost_card_offers_unlock_and_formal_loss_but_not_a_second_temporary_loss(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await unlock(pilot)
        pid = app.ctx.people.find("王秀英")[0].person_id
        set_cards(app.ctx.session.vault, pid, [card_dump(pid, "temp_lost", "H46010001")], version=5)
        await _open_menu(app, pilot, "王秀英")
        offered, refused = _menu_lines(app)
        assert _line(offered, "card.unlock")
        assert _line(offered, "card.loss_formal")
        assert ZH["status.temp_lost"] in _line(refused, "card.loss_temporary")
        await pilot.press(KEYS["card.unlock"])
        await settle(pilot)
        assert isinstance(app.screen, FormScreen)
        assert app.screen.kind == "card.unlock"


async def test_a_person_without_a_card_is_offered_the_application_first(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await unlock(pilot)
        await _open_menu(app, pilot, "符亚明")
        offered, refused = _menu_lines(app)
        assert offered[0].startswith(KEYS["card.apply"])
        assert ZH["form.title.card.apply"] in offered[0]
        assert _line(refused, "card.loss_temporary")
