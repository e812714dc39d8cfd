"""The employer host's screen driven with Pilot (issue 13, items 8 and 10): on a laptop enrolled as an
``employer_host``, ``h`` on home opens their sessions as the center published them (masked roster, merged
progress, the close report with who needs a follow-up), read-only; a worker's laptop is not offered it."""

from __future__ import annotations

import pytest

from outreach.domain.masking import mask_id_number, mask_mobile, mask_name
from outreach.ui.app import OutreachApp
from sync.client.trust import META_ROLE
from tests.bulkdays.conftest import credit_code
from tests.bulkdays.test_bulkday_ui import settle, until
from tests.support.context import PASSPHRASE, TODAY, citizen_id, make_context

pytestmark = pytest.mark.anyio

SID = "host-day-1"
STAFF = [("王秀英", citizen_id("460105", TODAY.replace(year=1980), 11, False), "13907560001", "行政部"),
         ("符亚明", citizen_id("460105", TODAY.replace(year=1985), 12, True), "13907560002", "生产部")]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _published() -> list[dict[str, object]]:
    """What the center publishes to the employer's host (sync/center/sessions.py), numbers masked there."""
    lines = [{"person_id": f"p{i}", "row": i + 2, "department": dept, "walk_in": False, "name": mask_name(name),
              "doc_type": "resident_id", "doc_number": mask_id_number(number), "mobile": mask_mobile(mobile)}
             for i, (name, number, mobile, dept) in enumerate(STAFF)]
    plan = {"session_id": SID, "employer": {"name": "海南椰风食品有限公司", "credit_code": credit_code()},
            "venue": "公司三楼会议室", "day": TODAY.isoformat(), "workers": ["w1"], "bank_branch": "城西支行",
            "note": "", "cancelled": False, "roster_revision": 1}
    progress = {"session_id": SID, "roster": 2, "roster_revision": 1, "activated": 1, "handed_over": 0,
                "applied": 0, "done": 1, "remaining": 1, "exceptions": 0}
    close = {"session_id": SID, "closed_on": TODAY.isoformat(), "roster_revision": 1,
             "counts": {"activated": 1, "handed_over": 0, "applied": 0, "absent": 1, "exception": 0},
             "lines": [{**lines[0], "outcome": "activated", "reason": ""},
                       {**lines[1], "outcome": "absent", "reason": ""}],
             "not_on_roster": 0, "manifest_agrees": True, "follow_ups": 1}
    roster = {"session_id": SID, "revision": 1, "lines": lines}
    return [{"type": kind, "id": SID, "version": 1, "data": data}
            for kind, data in (("session", plan), ("session_roster", roster), ("session_progress", progress),
                               ("session_close", close))]


def _app(tmp_path, role: str | None) -> tuple[OutreachApp, object]:
    ctx = make_context(tmp_path / (role or "none"), seed=False)
    ctx.session.unlock(PASSPHRASE)
    vault = ctx.session.vault
    if role is not None:
        vault.set_meta(META_ROLE, role)
    vault.apply_pulled(_published(), "4")
    ctx.session.lock()
    return OutreachApp(ctx, blink=False, auto_sync_minutes=0, idle_check_seconds=3600), ctx


async def _unlock(pilot, app) -> None:
    from textual.widgets import Input

    await pilot.pause()
    app.screen.query_one("#passphrase", Input).value = PASSPHRASE
    await pilot.press("enter")
    await settle(pilot)


async def test_the_employer_host_sees_their_session_masked_with_progress_and_follow_ups(tmp_path):
    from outreach.ui.screens.home import HomeScreen
    from outreach.ui.screens.hosted import HostedScreen

    app, ctx = _app(tmp_path, "employer_host")
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await _unlock(pilot, app)
            await until(pilot, lambda: isinstance(app.screen, HomeScreen) and app.screen.host)
            await pilot.press("h")
            await until(pilot, lambda: isinstance(app.screen, HostedScreen)
                        and app.screen.query_one("#hosted-roster").row_count == 2)
            screen = app.screen
            summary = str(screen.query_one("#hosted-summary").render())
            assert "海南椰风食品有限公司" in summary
            assert "已办 1" in summary
            assert "未办 1" in summary
            table = screen.query_one("#hosted-roster")
            cells = [str(c) for r in range(table.row_count) for c in table.get_row_at(r)]
            for name, number, mobile, _dept in STAFF:
                assert mask_id_number(number) in cells
                assert mask_mobile(mobile) in cells
                assert number not in cells
                assert mobile not in cells
                assert name not in cells
            close = str(screen.query_one("#hosted-close").render())
            assert "一致" in close
            assert "需跟进" in close
            assert mask_name("符亚明") in close
            assert "未到场" in close
            await pilot.press("escape")
            await until(pilot, lambda: isinstance(app.screen, HomeScreen))
    finally:
        ctx.close()


async def test_a_workers_laptop_is_not_offered_the_hosts_screen(tmp_path):
    from outreach.ui.screens.home import HomeScreen

    app, ctx = _app(tmp_path, "worker")
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await _unlock(pilot, app)
            await until(pilot, lambda: isinstance(app.screen, HomeScreen))
            await pilot.press("h")
            await settle(pilot)
            assert isinstance(app.screen, HomeScreen)
            assert app.screen.check_action("hosted", ()) is False
    finally:
        ctx.close()
