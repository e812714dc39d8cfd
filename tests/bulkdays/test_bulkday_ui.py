"""The bulk-day screens driven with Pilot: from the home screen to the table loop, 200 roster people through
the simulated card reader (card in -> line opens -> ``c`` ``1`` -> recorded), the digits fallback, the same
card twice, a declined activation in the exception list, and the close with its reconciliation."""

from __future__ import annotations

import contextlib

import pytest

from hardware.factory import open_reader
from hardware.simulator.inprocess import USER_SLOT
from hardware.simulator.profiles import build_profile
from outreach.ui.app import OutreachApp
from tests.bulkdays.conftest import card_dump, credit_code, set_cards, staff, write_csv
from tests.support.context import PASSPHRASE, TODAY, make_context

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(autouse=True)
def _chinese_again():
    yield
    from outreach.i18n import set_language

    set_language("zh_CN")


async def settle(pilot) -> None:
    from textual.worker import WorkerCancelled

    for _ in range(3):
        with contextlib.suppress(WorkerCancelled):
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def until(pilot, check, tries: int = 60) -> None:
    for _ in range(tries):
        await settle(pilot)
        if check():
            return
        await pilot.pause(0.02)
    raise AssertionError("the screen did not get there")


@pytest.fixture
def setup(tmp_path):
    """The app over a vault whose day has ``n`` staff with active, not yet bank-activated cards, and an
    empty simulated reader (with the test PSAM)."""
    contexts = []

    def build(n: int):
        reader = open_reader("simulator", psam=True)
        ctx = make_context(tmp_path / f"v{n}", reader_factory=lambda: reader)
        contexts.append(ctx)
        ctx.session.unlock(PASSPHRASE)
        plan = ctx.bulkdays.plan(employer="海南椰风食品有限公司", credit_code=credit_code(), venue="三楼",
                                 day=TODAY, workers=["w-test"], bank_branch="城西支行")
        rows = staff(n)
        path = write_csv(tmp_path / f"r{n}.csv", rows, "gbk")
        roster = ctx.bulkdays.confirm_roster(plan.session_id, ctx.bulkdays.preview_roster(plan.session_id, path))
        people = []
        for i, entry in enumerate(roster.entries):
            number = f"H{i:08d}"
            set_cards(ctx.session.vault, entry.person_id,
                      [card_dump(entry.person_id, "active", number, bank_activated=False)], version=2)
            person = ctx.session.vault.get_person(entry.person_id)
            people.append((entry.person_id, person.name, person.ss_number, number))
        ctx.session.lock()
        app = OutreachApp(ctx, blink=False, auto_sync_minutes=0, idle_check_seconds=3600)
        return app, reader, plan.session_id, people

    yield build
    for ctx in contexts:
        ctx.close()


async def open_day(pilot, app) -> None:
    from textual.widgets import Input

    from outreach.ui.screens.bulkday import BulkDayScreen, BulkDaysScreen

    await pilot.pause()
    app.screen.query_one("#passphrase", Input).value = PASSPHRASE
    await pilot.press("enter")
    await settle(pilot)
    await pilot.press("b")
    await until(pilot, lambda: isinstance(app.screen, BulkDaysScreen) and app.screen.query_one("#bulk-sessions").row_count)
    await pilot.press("enter")
    await until(pilot, lambda: isinstance(app.screen, BulkDayScreen))


async def insert(pilot, app, reader, person) -> None:
    person_id, name, ssn, number = person
    reader.insert(build_profile(name=name, ssn=ssn, card_number=number), USER_SLOT)
    await until(pilot, lambda: app.screen.line is not None and app.screen.line.person_id == person_id)


async def remove(pilot, app, reader) -> None:
    reader.remove(USER_SLOT)
    await until(pilot, lambda: app.reader_view is not None and app.reader_view.state == "no_card")


@pytest.mark.slow
async def test_the_loop_for_200_people_through_the_simulated_reader(setup):
    app, reader, session_id, people = setup(200)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_day(pilot, app)
        for person in people:
            await insert(pilot, app, reader, person)
            await pilot.press("c", "1")  # holder and document checked; bank done: two keys
            await until(pilot, lambda: app.screen.line is None)
            await remove(pilot, app, reader)
        progress = app.ctx.bulkdays.progress(session_id)
        assert progress.done == 200
        assert progress.remaining == 0
        ops = [o for o in app.ctx.session.vault.operations() if o.kind == "card.bank_activate"]
        assert len(ops) == 200
        assert {o.payload["session_id"] for o in ops} == {session_id}
        assert {o.subject for o in ops} == {p[0] for p in people}
        text = str(app.screen.query_one("#bulk-progress").render())
        assert "已办 200" in text


async def test_a_few_people_digits_twice_declined_and_close(setup):
    from outreach.ui.dialogs.bulkday import FieldsDialog

    app, reader, session_id, people = setup(4)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_day(pilot, app)
        first, second, third, _fourth = people
        await insert(pilot, app, reader, first)
        await pilot.press("1")  # not checked yet: nothing recorded
        await settle(pilot)
        assert app.ctx.bulkdays.progress(session_id).done == 0
        await pilot.press("c", "1")
        await until(pilot, lambda: app.screen.line is None)
        await remove(pilot, app, reader)
        # the same card again: the line says when, recording says so and writes nothing
        before = sum(1 for _ in app.ctx.session.vault.operations())
        await insert(pilot, app, reader, first)
        assert app.screen.line.done is not None
        await pilot.press("c", "1")
        await settle(pilot)
        assert sum(1 for _ in app.ctx.session.vault.operations()) == before
        await remove(pilot, app, reader)
        # a card that cannot be read: the last digits
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, FieldsDialog))
        await pilot.press(*second[2][-6:], "enter")
        await until(pilot, lambda: getattr(app.screen, "line", None) is not None)
        assert app.screen.line.person_id == second[0]
        await pilot.press("c", "1")
        await until(pilot, lambda: app.screen.line is None)
        # the bank declines the third
        await insert(pilot, app, reader, third)
        await pilot.press("2")
        await until(pilot, lambda: isinstance(app.screen, FieldsDialog))
        await pilot.press(*"人脸核验未通过", "enter")
        await until(pilot, lambda: app.screen.query_one("#bulk-exceptions").row_count == 1)
        await remove(pilot, app, reader)
        # close: the reconciliation, then the manifest
        await pilot.press("x")
        from outreach.ui.dialogs.choice import ChoiceDialog

        await until(pilot, lambda: isinstance(app.screen, ChoiceDialog))
        await pilot.press("enter")
        await until(pilot, lambda: app.ctx.bulkdays.state(session_id).close is not None)
        counts = app.ctx.bulkdays.state(session_id).close.counts()
        assert counts == {"activated": 2, "handed_over": 0, "applied": 0, "absent": 1, "exception": 1}


async def test_from_the_palette_plan_a_day_and_import_with_a_preview(tmp_path):
    from textual.widgets import Input

    from outreach.i18n import CATALOGUES
    from outreach.ui.commands import ScreenCommands
    from outreach.ui.dialogs.bulkday import FieldsDialog, PreviewDialog
    from outreach.ui.screens.bulkday import BulkDaysScreen

    ctx = make_context(tmp_path / "v")
    app = OutreachApp(ctx, blink=False, auto_sync_minutes=0, idle_check_seconds=3600)
    path = write_csv(tmp_path / "名单.csv", staff(3) + [["9", "坏号", "身份证", "460105199001011234", "", ""]], "gbk")
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            app.screen.query_one("#passphrase", Input).value = PASSPHRASE
            await pilot.press("enter")
            await settle(pilot)
            titles = [title for title, _a, _h in ScreenCommands(app.screen)._commands()]
            assert CATALOGUES["zh_CN"]["bind.bulkdays"] in titles
            await pilot.press("ctrl+p")
            await pilot.pause()
            await pilot.press(*"集中激活")
            await pilot.pause(0.3)
            await pilot.press("enter")
            await until(pilot, lambda: isinstance(app.screen, BulkDaysScreen))
            await pilot.press("p")
            await until(pilot, lambda: isinstance(app.screen, FieldsDialog))
            values = {"f-employer": "海南椰风食品有限公司", "f-credit_code": credit_code(), "f-venue": "三楼",
                      "f-bank_branch": "城西支行"}
            for name, value in values.items():
                app.screen.query_one(f"#{name}", Input).value = value
            app.screen.query_one("#f-bank_branch", Input).focus()
            await pilot.press("enter")
            await until(pilot, lambda: isinstance(app.screen, BulkDaysScreen)
                        and app.screen.query_one("#bulk-sessions").row_count == 1)
            session_id = app.ctx.bulkdays.sessions()[0].plan.session_id
            await pilot.press("i")
            await until(pilot, lambda: isinstance(app.screen, FieldsDialog))
            app.screen.query_one("#f-path", Input).value = str(path)
            app.screen.query_one("#f-map", Input).focus()
            await pilot.press("enter")
            await until(pilot, lambda: isinstance(app.screen, PreviewDialog))
            summary = str(app.screen.query_one("#preview-summary").render())
            assert "新增3人" in summary
            assert "退回1行" in summary
            assert "第5行" in str(app.screen.query_one("#preview-refused").render())
            assert app.ctx.bulkdays.state(session_id).roster is None  # nothing written before confirming
            await pilot.press("y")
            await until(pilot, lambda: app.ctx.bulkdays.state(session_id).roster is not None)
            assert len(app.ctx.bulkdays.state(session_id).roster.entries) == 3
    finally:
        ctx.close()


async def test_a_card_pulled_mid_read_opens_nothing_and_records_nothing(setup):
    app, reader, session_id, people = setup(2)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_day(pilot, app)
        person_id, name, ssn, number = people[0]
        before = sum(1 for _ in app.ctx.session.vault.operations())
        reader.insert(build_profile(name=name, ssn=ssn, card_number=number,
                                    behaviour={"remove_after": 5}), USER_SLOT)
        await until(pilot, lambda: app.reader_view is not None and app.reader_view.state in ("error", "no_card"))
        assert app.screen.line is None
        await pilot.press("c", "1")
        await settle(pilot)
        assert sum(1 for _ in app.ctx.session.vault.operations()) == before
        await remove(pilot, app, reader)
        await insert(pilot, app, reader, people[0])  # put back in properly: the line opens
        await pilot.press("c", "1")
        await until(pilot, lambda: app.screen.line is None)
        assert app.ctx.bulkdays.progress(session_id).done == 1


async def test_a_card_whose_chip_names_someone_else_opens_no_line(setup):
    app, reader, session_id, people = setup(2)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_day(pilot, app)
        person_id, name, _ssn, number = people[0]
        stranger = staff(1, start=95)[0][3]
        reader.insert(build_profile(name=name, ssn=stranger, card_number=number), USER_SLOT)  # copied card number
        await until(pilot, lambda: "名单" in str(app.screen.query_one("#bulk-line").render()))
        assert app.screen.line is None
        await pilot.press("c", "1")
        await settle(pilot)
        assert app.ctx.bulkdays.progress(session_id).done == 0
        assert person_id not in {o.subject for o in app.ctx.session.vault.operations() if o.kind.startswith("card.")}
