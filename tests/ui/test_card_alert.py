"""A card this laptop knows as lost (or cancelled, replaced) inserted into the reader raises an alert, over the
holder's page (issue 11, m21); a card in order opens the page without one."""

from __future__ import annotations

import uuid

import pytest

from outreach.i18n import CATALOGUES
from outreach.ui.dialogs.message import MessageDialog
from outreach.ui.screens.person import PersonScreen
from tests.support.context import PASSPHRASE, PEOPLE, card_dump, citizen_id, set_cards
from tests.support.pilot import screen_text, settle, unlock

pytestmark = pytest.mark.anyio
ZH = CATALOGUES["zh_CN"]


def _reader():
    from hardware.factory import open_reader
    from hardware.simulator.profiles import build_profile

    name, gender, born, area, _status, card_number = PEOPLE[0]
    ssn = citizen_id(area, born, 10, gender == "2")
    return open_reader("simulator", profile=build_profile(name=name, ssn=ssn, card_number=card_number))


async def _inserted(app, pilot) -> None:
    for _ in range(30):
        await settle(pilot)
        if isinstance(app.screen, MessageDialog) or (
                isinstance(app.screen, PersonScreen) and app.reader_view is not None):
            await pilot.pause(0.2)
            await settle(pilot)
            return
        await pilot.pause(0.1)


@pytest.mark.parametrize(("status", "words"), [("lost", "解除挂失"), ("temp_lost", "解除挂失"),
                                               ("cancelled", "已注销")])
async def test_a_lost_or_dead_card_inserted_raises_an_alert_over_the_holders_page(make_app, status, words):
    from storage import Vault

    reader = _reader()
    app = make_app(reader_factory=lambda: reader)
    pid = str(uuid.UUID(int=1))  # 王秀英, the first of the seeded people
    with Vault.open(app.ctx.settings.vault_path, PASSPHRASE) as vault:  # as the center reported it
        set_cards(vault, pid, [card_dump(pid, status, PEOPLE[0][5])], version=5)
    async with app.run_test(size=(100, 30)) as pilot:
        await unlock(pilot)
        await _inserted(app, pilot)
        assert isinstance(app.screen, MessageDialog), screen_text(app)
        text = screen_text(app)
        assert ZH[f"status.{status}"] in text
        assert words in text
        assert "王秀英" in text
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PersonScreen)  # the holder's page is underneath


async def test_a_card_in_order_opens_the_page_without_an_alert(make_app):
    reader = _reader()
    app = make_app(reader_factory=lambda: reader)
    async with app.run_test(size=(100, 30)) as pilot:
        await unlock(pilot)
        await _inserted(app, pilot)
        assert isinstance(app.screen, PersonScreen)
