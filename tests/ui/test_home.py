"""Home: today's planned visits listed (who, where, card) and opened from the keyboard; deadlines across the vault."""

from __future__ import annotations

import pytest

from outreach.i18n import CATALOGUES
from outreach.ui.screens.home import HomeScreen
from outreach.ui.screens.person import PersonScreen
from outreach.ui.widgets.home.planned import PlannedVisits
from tests.support.context import TODAY, card_dump, set_cards
from tests.support.pilot import screen_text, settle, unlock

pytestmark = pytest.mark.anyio
ZH = CATALOGUES["zh_CN"]


def _plan(app, names: list[str]) -> list[str]:
    ids = [app.ctx.people.find(name)[0].person_id for name in names]
    app.ctx.session.vault.apply_pulled(
        [{"type": "visit_plan", "id": f"plan-{i}", "version": 0,
          "data": {"visit_id": f"plan-{i}", "person_id": pid, "worker_id": "w-test", "day": TODAY.isoformat(),
                   "outcome": None, "present": [], "notes": "", "op_ids": [], "planned": True}}
         for i, pid in enumerate(ids)],
        checkpoint="0",
    )
    return ids


async def test_planned_visits_listed_and_enter_opens_the_person(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await unlock(pilot)
        ids = _plan(app, ["王秀英", "符亚明"])
        app.screen.reload()
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        table = app.screen.query_one(PlannedVisits)
        assert table.row_count == 2
        text = screen_text(app)
        assert "王秀英" in text
        assert "符亚明" in text
        assert "城西镇1号" in text  # where
        assert ZH["status.active"] in text
        assert ZH["status.none"] in text
        await pilot.press("v")  # keyboard first: to the list
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, PersonScreen)
        assert app.screen.person_id == ids[1]
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert app.screen.query_one(PlannedVisits).cursor_row == 1  # back where the worker was
        await pilot.press("v", "up", "enter")
        await settle(pilot)
        assert isinstance(app.screen, PersonScreen)
        assert app.screen.person_id == ids[0]


async def test_no_plan_says_so(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await unlock(pilot)
        assert ZH["home.planned_none"] in screen_text(app)
        assert not app.screen.query_one(PlannedVisits).display


async def test_home_shows_a_deadline_of_someone_not_seen_today(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await unlock(pilot)
        fu = app.ctx.people.find("符亚明")[0].person_id
        set_cards(app.ctx.session.vault, fu,
                  [card_dump(fu, "ready", "H46010002", issued_on="2026-06-10", expires_on="2036-06-10")], 2)
        app.screen.reload()
        await settle(pilot)
        text = screen_text(app)
        assert "2026-12-08" in text  # recalled once more than 180 days have passed (Art. 12)
        assert "符亚明" in text
        assert ZH["deadline.recall"] in text
