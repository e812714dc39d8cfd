"""Each form through the UI: valid entries saved as operations; bad input refused inline, naming the
article; a refused event explained in a dialog; nothing saved."""

from __future__ import annotations

import datetime as dt

import pytest
from textual.widgets import Button, Input, Select

from outreach.i18n import CATALOGUES
from outreach.ui.dialogs.message import MessageDialog
from outreach.ui.dialogs.receipt import ReceiptDialog
from outreach.ui.dialogs.review import ReviewDialog
from outreach.ui.screens.form import FormScreen
from outreach.ui.screens.person import PersonScreen
from outreach.ui.screens.visit import VisitScreen
from outreach.ui.widgets.forms.form_field import FormField
from tests.support.context import TODAY, application_values, card_dump, count_ops, set_cards
from tests.support.pilot import screen_text, settle, unlock

pytestmark = pytest.mark.anyio
ZH = CATALOGUES["zh_CN"]
AGENT = {"agent_name": "符海", "agent_doc_number": "460106198001010039", "agent_relationship": "儿子"}
FORMS = [
    ("card.deliver", "ready", {"method": "home_delivery"}),
    ("card.bank_activate", "active", {}),
    ("card.loss_temporary", "active", {"period": "long"}),
    ("card.loss_formal", "active", {}),
    ("card.unlock", "temp_lost", {}),
    ("card.replace", "lost", {}),
    ("card.exchange", "active", {"reason": "2"}),
    ("card.reissue", "active", {"changed": ["name"], "new_name": "符亚民"}),
    ("card.cancel", "active", {"deceased_on": "2026-11-20", "proof": "pledge", **AGENT}),
    ("person.update", None, {"mobile": "13800001111"}),
]


def fill(screen, values):
    for field in screen.query(FormField):
        if field.spec.name in values:
            field.set_value(values[field.spec.name])


async def open_form(app, pilot, kind, person_id):
    app.push_screen(FormScreen(kind, person_id))
    await settle(pilot)
    assert isinstance(app.screen, FormScreen)


@pytest.mark.parametrize(("kind", "status", "values"), FORMS, ids=[f[0] for f in FORMS])
async def test_a_valid_form_is_saved(make_app, kind, status, values):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await unlock(pilot)
        pid = app.ctx.people.find("符亚明")[0].person_id
        if status:
            extra = {"bank_activated": False} if kind == "card.bank_activate" else {}
            set_cards(app.ctx.session.vault, pid, [card_dump(pid, status, "H46010002", **extra)], version=4)
        app.open_person(pid)
        await settle(pilot)
        before = count_ops(app.ctx)
        await open_form(app, pilot, kind, pid)
        fill(app.screen, values)
        await pilot.press("ctrl+s")
        await settle(pilot)
        if isinstance(app.screen, ReviewDialog):  # an irreversible event: read back, then confirmed (M9)
            if values.get("proof") == "pledge":
                app.screen.query_one("#pledge-ack", Select).value = "yes"
            app.screen.query_one("#confirm", Button).focus()
            await pilot.press("enter")
            await settle(pilot)
        assert isinstance(app.screen, MessageDialog), screen_text(app)
        assert ZH["saved.title"] in screen_text(app)
        assert count_ops(app.ctx) == before + 1
        assert list(app.ctx.session.vault.operations())[-1].kind == kind
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PersonScreen)
        history = str(app.screen.query_one("History").render())
        assert ZH[f"kind.{kind}"] in history  # what was just done, in words
        if kind == "card.exchange":
            assert ZH["choice.exchange_reason.2"] in history
            assert ZH["fee.charged"] in history


@pytest.fixture
def photo(tmp_path):
    """A small JPEG file, as a worker would pick from the laptop."""
    path = tmp_path / "p.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0" + b"\0" * 64)
    return path


async def test_new_application_with_fee_and_then_its_person(make_app, photo):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await unlock(pilot)
        await pilot.press("n")
        await settle(pilot)
        fill(app.screen, application_values(photo_path=str(photo)))
        await pilot.press("ctrl+s")
        await settle(pilot)
        text = screen_text(app)
        assert ZH["saved.title"] in text
        assert ZH["fee.label"] in text
        assert ZH["fee.free"] in text
        assert count_ops(app.ctx, "card.apply") == 1
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PersonScreen)
        assert ZH["card.origin_provisional"] in screen_text(app)


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
async def test_bad_input_is_shown_inline_with_the_article(make_app, lang):
    app = make_app(lang=lang)
    cat = CATALOGUES[lang]
    async with app.run_test(size=(80, 24)) as pilot:
        await unlock(pilot)
        await open_form(app, pilot, "card.apply", None)
        fill(app.screen, application_values(name="", birth_date="1942-02-30"))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, FormScreen)
        errors = {f.spec.name for f in app.screen.query(FormField) if f.has_class("invalid")}
        assert {"name", "birth_date"} <= errors
        name_error = str(app.screen.query_one("#field-name .form-error").render())
        assert cat["form.err.required"] in name_error
        assert cat["article"].format(n="10") in name_error
        assert count_ops(app.ctx) == 0


async def test_a_refused_event_explains_why_and_saves_nothing(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await unlock(pilot)
        pid = app.ctx.people.find("王秀英")[0].person_id
        before = count_ops(app.ctx)
        await open_form(app, pilot, "card.unlock", pid)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MessageDialog)
        text = screen_text(app)
        assert ZH["refusal.title"] in text
        assert ZH["refusal.nothing_saved"] in text
        assert count_ops(app.ctx) == before


async def test_visit_log(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await unlock(pilot)
        pid = app.ctx.people.find("王秀英")[0].person_id
        app.open_person(pid)
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
        assert isinstance(app.screen, VisitScreen)
        app.screen.query_one("#present", Input).value = "本人, 女儿"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ReceiptDialog)  # the visit's receipt is offered before going back
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PersonScreen)
        [op] = [o for o in app.ctx.session.vault.operations() if o.kind == "visit.log"]
        assert op.payload["visit"]["present"] == ["本人", "女儿"]


async def wait_for_fee(pilot, word: str) -> str:
    """The fee line above the form, once it says ``word`` (the preview runs shortly after a change)."""
    from textual.widgets import Static

    for _ in range(60):
        await pilot.pause(0.05)
        await settle(pilot)
        text = str(pilot.app.screen.query_one("#form-fee", Static).render())
        if word in text:
            return text
    raise AssertionError(f"the fee line never said {word!r}: {text!r}")


async def test_the_fee_shows_before_saving_and_follows_the_exchange_reason(make_app, photo):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await unlock(pilot)
        pid = app.ctx.people.find("符亚明")[0].person_id
        # valid two more months: an exchange for expiry is within its window (3 months before, Art. 21)
        expires = (TODAY + dt.timedelta(days=60)).isoformat()
        set_cards(app.ctx.session.vault, pid, [card_dump(pid, "active", "H46010002", expires_on=expires)],
                  version=4)
        before = count_ops(app.ctx)
        await open_form(app, pilot, "card.exchange", pid)
        fill(app.screen, {"reason": "2"})  # damaged: the bank charges (Art. 24)
        text = await wait_for_fee(pilot, ZH["fee.charged"])
        assert ZH["fee.preview"] in text
        fill(app.screen, {"reason": "1", "photo_path": str(photo)})  # expiry, with a recent photo: free
        await wait_for_fee(pilot, ZH["fee.free"])
        assert isinstance(app.screen, FormScreen)
        assert count_ops(app.ctx) == before  # a preview saves nothing


async def test_no_fee_line_while_the_form_would_be_refused(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await unlock(pilot)
        pid = app.ctx.people.find("王秀英")[0].person_id  # her card is not lost: a replacement is refused
        await open_form(app, pilot, "card.replace", pid)
        for _ in range(10):
            await pilot.pause(0.05)
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, FormScreen)
        assert screen.fee_preview is not None  # the preview ran
        assert screen.fee_preview.refusal is not None
        assert not screen.query_one("#form-fee").has_class("shown")


async def test_a_second_press_while_saving_records_the_event_once(make_app):
    import time

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await unlock(pilot)
        pid = app.ctx.people.find("符亚明")[0].person_id
        real = app.ctx.cards.record

        def slow_disk(*args, **kwargs):  # a laptop writing to a slow disk: the save takes a while
            time.sleep(0.3)
            return real(*args, **kwargs)

        app.ctx.cards.record = slow_disk
        before = count_ops(app.ctx)
        await open_form(app, pilot, "person.update", pid)
        fill(app.screen, {"mobile": "13800001111"})
        await pilot.press("ctrl+s")
        await pilot.pause(0.05)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MessageDialog)
        assert count_ops(app.ctx) == before + 1
