"""Meaning never by colour alone (issue 11, M13: the multi-select's ticks are signs), and the home screen at
80x24 counts what needs attention at the top, with the key that acts on it (M14)."""

from __future__ import annotations

import pytest

from outreach.i18n import CATALOGUES
from outreach.ui.screens.form import FormScreen
from outreach.ui.screens.sync import SyncScreen
from outreach.ui.widgets.common.ticks import TICKED, TickList
from outreach.ui.widgets.home.day_summary import DaySummary
from tests.support.pilot import screen_text, settle, unlock

pytestmark = pytest.mark.anyio
ZH = CATALOGUES["zh_CN"]


def _line_of(text: str, words: str) -> str:
    return next(line for line in text.splitlines() if words in line)


async def test_ticked_and_unticked_items_of_a_multi_select_differ_by_a_sign(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await unlock(pilot)
        pid = app.ctx.people.find("王秀英")[0].person_id
        app.push_screen(FormScreen("card.reissue", pid))
        await settle(pilot)
        ticks = app.screen.query_one(TickList)
        ticks.select("name")
        await pilot.pause()
        text = screen_text(app)
        ticked = _line_of(text, ZH["choice.key_field.name"])
        unticked = _line_of(text, ZH["choice.key_field.ss_number"])
        assert TICKED in ticked
        assert TICKED not in unticked
        ticks.deselect("name")
        ticks.select("ss_number")
        await pilot.pause()
        text = screen_text(app)
        assert TICKED not in _line_of(text, ZH["choice.key_field.name"])
        assert TICKED in _line_of(text, ZH["choice.key_field.ss_number"])


async def test_the_home_screen_at_80x24_counts_rejections_at_the_top_and_y_acts_on_them(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await unlock(pilot)
        text = screen_text(app)
        assert ZH["home.attention_none"] in text
        pid = app.ctx.people.find("王秀英")[0].person_id
        result = app.ctx.cards.record(pid, "card.loss_temporary", {"period": "15d", "identity_verified": True})
        app.ctx.session.vault.record_push_results([{
            "op_id": result.op_id, "status": "rejected", "code": "card_not_active",
            "message_zh": "中心记录此卡已注销", "message_en": "the center has this card cancelled"}])
        await pilot.press("r")
        await settle(pilot)
        summary = app.screen.query_one(DaySummary)
        assert summary.region.y + summary.region.height <= 24  # on screen without scrolling
        counted = ZH["home.attention_issues"].format(count=1)
        assert counted in screen_text(app)
        assert counted in str(summary.render())
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, SyncScreen)
        assert "王秀英" in screen_text(app)
