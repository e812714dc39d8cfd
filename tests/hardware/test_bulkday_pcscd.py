"""An employer bulk activation day end to end through the real pcscd and the vsmartcard reader (issue 13, "What
it must show"): the app's table loop with the PC/SC reader, a simulated card per person put behind vpcd. Card
in -> the watcher sees it -> the chip is read through pcscd -> the roster line opens -> ``c`` ``1`` -> the
``card.bank_activate`` is recorded with the session named; the same card again records nothing; a card of
someone not on the roster opens no line.

Needs pcscd with vpcd (scripts/services.sh); uses the machine-wide vpcd slot lock.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from hardware.factory import open_reader
from hardware.simulator.profiles import build_profile
from outreach.ui.app import OutreachApp
from tests.bulkdays.conftest import card_dump, credit_code, set_cards, staff, write_csv
from tests.bulkdays.test_bulkday_ui import open_day, settle
from tests.support.context import PASSPHRASE, TODAY, make_context

pytestmark = [pytest.mark.pcscd, pytest.mark.anyio]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(autouse=True)
def _chinese_again():
    yield
    from outreach.i18n import set_language

    set_language("zh_CN")


async def _until(pilot, check, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        await settle(pilot)
        if check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the screen did not get there")


def _world(tmp_path, n: int):
    ctx = make_context(tmp_path / "v", reader_factory=lambda: open_reader("pcsc"))
    ctx.session.unlock(PASSPHRASE)
    plan = ctx.bulkdays.plan(employer="海南椰风食品有限公司", credit_code=credit_code(), venue="三楼",
                             day=TODAY, workers=["w-test"], bank_branch="城西支行")
    path = write_csv(tmp_path / "r.csv", staff(n), "gbk")
    roster = ctx.bulkdays.confirm_roster(plan.session_id, ctx.bulkdays.preview_roster(plan.session_id, path))
    people = []
    for i, entry in enumerate(roster.entries):
        number = f"H{i:08d}"
        set_cards(ctx.session.vault, entry.person_id,
                  [card_dump(entry.person_id, "active", number, bank_activated=False)], version=2)
        person = ctx.session.vault.get_person(entry.person_id)
        people.append((entry.person_id, person.name, person.ss_number, number))
    ctx.session.lock()
    return ctx, plan.session_id, people


def _activations(ctx, session_id: str) -> list[str]:
    return [o.subject for o in ctx.session.vault.operations()
            if o.kind == "card.bank_activate" and o.payload.get("session_id") == session_id]


async def test_a_few_people_of_a_session_activated_through_pcscd_and_vpcd(tmp_path, vcards):
    ctx, session_id, people = _world(tmp_path, 3)
    app = OutreachApp(ctx, blink=False, auto_sync_minutes=0, idle_check_seconds=3600)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await open_day(pilot, app)
            for person_id, name, ssn, number in people:
                vcards.insert(build_profile(name=name, ssn=ssn, card_number=number))
                await _until(pilot, lambda pid=person_id: app.screen.line is not None
                             and app.screen.line.person_id == pid)
                await pilot.press("c", "1")  # holder and document checked; bank done
                await _until(pilot, lambda: app.screen.line is None)
                vcards.remove()
                await _until(pilot, lambda: app.reader_view is not None and app.reader_view.state == "no_card")
            assert sorted(_activations(ctx, session_id)) == sorted(p[0] for p in people)
            # the first person's card again: the line says done, and nothing more is recorded
            first = people[0]
            vcards.insert(build_profile(name=first[1], ssn=first[2], card_number=first[3]))
            await _until(pilot, lambda: app.screen.line is not None and app.screen.line.person_id == first[0])
            assert app.screen.line.done is not None
            await pilot.press("c", "1")
            await settle(pilot)
            vcards.remove()
            await _until(pilot, lambda: app.reader_view is not None and app.reader_view.state == "no_card")
            # a card whose holder is not on the roster opens no line
            vcards.insert(build_profile(name="路人甲", ssn="460105199001011234", card_number="H99999999"))
            await _until(pilot, lambda: app.reader_view is not None and app.reader_view.state == "card")
            await settle(pilot)
            assert app.screen.line is None
            vcards.remove()
        assert len(_activations(ctx, session_id)) == 3
        progress = ctx.bulkdays.progress(session_id)
        assert (progress.counts["activated"], progress.remaining) == (3, 0)
    finally:
        ctx.close()
