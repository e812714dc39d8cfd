"""Snapshots of key screens in both languages at 80x24 and 120x40 (clock frozen, data fixed, no blink).

Update the baselines with ``pytest tests/ui/test_snapshots.py --snapshot-update`` after a deliberate change.
"""

from __future__ import annotations

import pytest

from outreach.i18n import set_language
from outreach.ui.app import OutreachApp
from outreach.ui.screens.form import FormScreen
from tests.support.context import PASSPHRASE, make_context

SIZES = [(80, 24), (120, 40)]
LANGS = ["zh_CN", "en"]


@pytest.fixture
def snap_app(tmp_path, monkeypatch):
    """The app, unlocked on the home screen, with one operation the center rejected."""
    # "synced at" of the cards pulled from the center: the vault's clock, frozen (fails loudly if it moves).
    monkeypatch.setattr("storage.vault._now", lambda: "2026-11-27T01:30:00+00:00")
    contexts = []

    def build(lang: str) -> OutreachApp:
        ctx = make_context(tmp_path / lang, lang=lang, template=False)
        contexts.append(ctx)
        set_language(lang)
        return OutreachApp(ctx, blink=False, auto_sync_minutes=0, idle_check_seconds=3600)

    yield build
    for ctx in contexts:
        ctx.close()
    set_language("zh_CN")


async def _unlocked(pilot) -> None:
    from textual.widgets import Input

    await pilot.pause()
    pilot.app.screen.query_one("#passphrase", Input).value = PASSPHRASE
    await pilot.press("enter")
    await _settle(pilot)


async def _settle(pilot) -> None:
    from tests.support.pilot import settle

    await settle(pilot)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("lang", LANGS)
def test_home(snap_compare, snap_app, lang, size):
    async def run_before(pilot) -> None:
        await _unlocked(pilot)
        ctx = pilot.app.ctx
        pid = ctx.people.find("王秀英")[0].person_id
        saved = ctx.cards.record(pid, "card.loss_temporary", {"period": "15d", "identity_verified": True})
        ctx.session.vault.record_push_results([{
            "op_id": saved.op_id, "status": "rejected", "code": "card_cancelled",
            "message_zh": "中心记录此卡已注销", "message_en": "the center has this card cancelled",
            "center_state": {"status": "cancelled"}}])
        ctx.cards.record(ctx.people.find("李春花")[0].person_id, "card.deliver", {"method": "home_delivery"})
        ctx.session.vault.apply_pulled([{  # one visit planned for today, listed on home
            "type": "visit_plan", "id": "plan-1", "version": 0,
            "data": {"visit_id": "plan-1", "person_id": ctx.people.find("符亚明")[0].person_id,
                     "worker_id": "w-test", "day": "2026-11-27", "outcome": None, "present": [], "notes": "",
                     "op_ids": [], "planned": True}}], checkpoint="0")
        pilot.app.screen.reload()
        await _settle(pilot)

    assert snap_compare(snap_app(lang), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("lang", LANGS)
def test_person_page(snap_compare, snap_app, lang, size):
    async def run_before(pilot) -> None:
        await _unlocked(pilot)
        pid = pilot.app.ctx.people.find("王秀英")[0].person_id
        pilot.app.open_person(pid)
        await _settle(pilot)

    assert snap_compare(snap_app(lang), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("lang", LANGS)
def test_application_form(snap_compare, snap_app, lang, size):
    async def run_before(pilot) -> None:
        await _unlocked(pilot)
        pilot.app.push_screen(FormScreen("card.apply", None))
        await _settle(pilot)

    assert snap_compare(snap_app(lang), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("lang", LANGS)
def test_saved_with_the_receipt_keys(snap_compare, snap_app, lang):
    """The confirmation after a save, offering the person's receipt: P print, S save as PDF, A read aloud."""

    async def run_before(pilot) -> None:
        await _unlocked(pilot)
        pid = pilot.app.ctx.people.find("王秀英")[0].person_id
        pilot.app.open_person(pid)
        await _settle(pilot)
        pilot.app.push_screen(FormScreen("card.loss_temporary", pid))
        await _settle(pilot)
        await pilot.press("ctrl+s")
        await _settle(pilot)

    assert snap_compare(snap_app(lang), terminal_size=(80, 24), run_before=run_before)


@pytest.mark.parametrize("lang", LANGS)
def test_review_before_a_cancellation_on_a_pledge(snap_compare, snap_app, lang):
    """The read-back before an irreversible event (M9): whose card masked, what happens, the pledge to read."""

    async def run_before(pilot) -> None:
        await _unlocked(pilot)
        pid = pilot.app.ctx.people.find("王秀英")[0].person_id
        pilot.app.open_person(pid)
        await _settle(pilot)
        pilot.app.push_screen(FormScreen("card.cancel", pid))
        await _settle(pilot)
        values = {"deceased_on": "2026-11-20", "proof": "pledge", "agent_name": "符海",
                  "agent_doc_number": "460106198001010039", "agent_relationship": "儿子"}
        for field in pilot.app.screen.query("FormField"):
            if field.spec.name in values:
                field.set_value(values[field.spec.name])
        await pilot.press("ctrl+s")
        await _settle(pilot)

    assert snap_compare(snap_app(lang), terminal_size=(80, 24), run_before=run_before)
