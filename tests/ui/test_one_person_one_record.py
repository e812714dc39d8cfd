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


async def test_art_03_05_a_duplicate_registration_is_settled_by_merging_it_into_the_registered_person(
        make_app, tmp_path):
    """A colleague registered 陈玉兰 first; this laptop registered and applied for her offline. The sync screen
    shows the refusal beside the registered person, offers the merge (and not "send mine again"), and after it
    one person remains here, with this laptop's application re-made on her."""
    import datetime as dt
    import uuid

    from outreach.domain.models import Person
    from outreach.ui.dialogs.resolve import ResolveDialog
    from outreach.ui.screens.sync import SyncScreen
    from outreach.ui.widgets.sync.issues import IssueTable
    from storage import Vault
    from sync.center.embedded import EmbeddedCenter
    from sync.client.client import SyncClient, enrol, sync_once
    from tests.support.context import PASSPHRASE

    running = EmbeddedCenter(tmp_path / "center.db")
    url = running.start()
    other = Vault.create(tmp_path / "other.db", PASSPHRASE, worker_id="w-other")
    try:
        enrol(other, url, running.store.create_enrol_code("w-other", "worker", None, dt.timedelta(hours=1)))
        values = application_values()
        theirs = Person.model_validate({
            "person_id": str(uuid.uuid4()), "name": values["name"], "gender": "2", "ethnicity": "01",
            "birth_date": values["birth_date"], "nationality": "CHN", "area_code": "460107",
            "document": {"doc_type": "resident_id", "number": values["doc_number"]}})
        other.append("person.register", theirs.person_id, {"person": theirs.model_dump(mode="json")})
        assert sync_once(other, url).applied == 1

        app = make_app()
        async with app.run_test(size=(120, 40)) as pilot:
            await unlock(pilot)
            app.ctx.sync._factory = lambda vault: SyncClient(vault, url)
            app.ctx.sync.enrol(url, running.store.create_enrol_code("w-test", "worker", None,
                                                                    dt.timedelta(hours=1)))
            photo = tmp_path / "photo.jpg"
            photo.write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 64)
            saved, mine = app.ctx.cards.register_and_apply(application_values(photo_path=str(photo)))
            assert saved.saved
            app.push_screen(SyncScreen())
            await settle(pilot)
            await pilot.press("s")
            await settle(pilot)
            await pilot.pause(0.2)
            await settle(pilot)
            screen = app.screen
            table = screen.query_one(IssueTable)
            assert table.row_count == 2, screen_text(app)  # the registration and the application wait
            row = next(i for i, issue in enumerate(screen.issues) if issue.kind == "person.register")
            table.focus()
            table.move_cursor(row=row)
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, ResolveDialog)
            text = screen_text(app)
            assert ZH["resolve.merge_note"][:12] in text
            assert ZH["resolve.merge"] in text
            assert ZH["resolve.mine"] not in text  # sending it again cannot make one record
            await pilot.press("1")
            await settle(pilot)
            assert isinstance(app.screen, ResolveDialog)  # not offered, so nothing happens
            await pilot.press("4")
            await settle(pilot)
            await pilot.pause(0.2)
            await settle(pilot)
            assert isinstance(app.screen, SyncScreen)
            status = str(app.screen.query_one("#sync-status").render())
            assert ZH["resolve.done_merge"].split("：")[0] in status, status
            assert app.screen.query_one(IssueTable).row_count == 0
            found = app.ctx.people.find(values["doc_number"])
            assert [p.person_id for p in found] == [theirs.person_id]
            assert mine != theirs.person_id
            held = app.ctx.session.vault.person_cards(theirs.person_id)
            assert held is not None
            assert len(held.cards) == 1  # this laptop's application, re-made on the registered person
    finally:
        other.close()
        running.stop()
