"""Art. 3 and Art. 5 at the door: a new application for someone the vault already holds opens that person's
page instead of registering them twice, and saves nothing."""

from __future__ import annotations

import pytest

from outreach.i18n import CATALOGUES
from outreach.ui.dialogs.message import MessageDialog
from outreach.ui.screens.form import FormScreen
from outreach.ui.screens.person import PersonScreen
from outreach.ui.widgets.forms.form_field import FormField
from tests.support.context import application_values, count_ops
from tests.support.pilot import screen_text, settle, unlock

pytestmark = pytest.mark.anyio
ZH = CATALOGUES["zh_CN"]


async def test_art_03_05_new_application_with_a_known_number_opens_the_known_person(make_app, tmp_path):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await unlock(pilot)
        known = app.ctx.people.find("王秀英")[0].person_id
        number = app.ctx.people.person(known).document.number
        before = count_ops(app.ctx)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, FormScreen)
        values = application_values(doc_number=number.lower())
        for field in app.screen.query(FormField):
            if field.spec.name in values:
                field.set_value(values[field.spec.name])
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MessageDialog)
        text = screen_text(app)
        assert ZH["form.already_registered.title"] in text
        assert "王秀英" in text
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PersonScreen)
        assert app.screen.person_id == known
        assert count_ops(app.ctx) == before  # nothing registered, nothing applied for
        assert len(app.ctx.people.find(number)) == 1


async def test_art_10_birth_date_and_gender_come_from_a_valid_number(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await unlock(pilot)
        await pilot.press("n")
        await settle(pilot)
        number = application_values()["doc_number"]  # a woman born 1942-09-30
        fields = {f.spec.name: f for f in app.screen.query(FormField)}
        assert fields["birth_date"].value == ""
        fields["doc_number"].set_value(number)
        await pilot.pause(0.5)
        await settle(pilot)
        assert fields["birth_date"].value == "1942-09-30"
        assert fields["gender"].value == "2"
        # a typed birth date is never overwritten
        fields["birth_date"].set_value("1942-10-01")
        fields["doc_number"].set_value(number[:-1])
        await pilot.pause(0.1)
        fields["doc_number"].set_value(number)
        await pilot.pause(0.5)
        await settle(pilot)
        assert fields["birth_date"].value == "1942-10-01"
