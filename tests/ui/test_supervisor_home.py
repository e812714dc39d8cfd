"""The supervisor's home: reached from home on a supervisor's laptop only; its charts and tables count what the
vault holds; an export from it writes files the csv module and openpyxl read back; cancel leaves nothing."""

from __future__ import annotations

import csv
import re
import threading

import pytest

from outreach.i18n import CATALOGUES
from outreach.ui.screens.home import HomeScreen
from outreach.ui.screens.supervisor import SupervisorScreen
from outreach.ui.widgets.supervisor.export_panel import ExportPanel
from outreach.ui.widgets.supervisor.tables import DeadlinesTable, DevicesTable, IssuesTable, WorkersTable
from tests.support.area import seed_area
from tests.support.pilot import screen_text, settle, unlock

pytestmark = pytest.mark.anyio
ZH = CATALOGUES["zh_CN"]


async def _open_supervisor(app, pilot) -> SupervisorScreen:
    app.screen.reload()
    await settle(pilot)
    await pilot.press("m")
    await settle(pilot)
    assert isinstance(app.screen, SupervisorScreen)
    return app.screen


async def test_supervisor_home_counts_the_area(make_app, monkeypatch):
    app = make_app()
    async with app.run_test(size=(140, 60)) as pilot:
        await unlock(pilot)
        seed_area(app.ctx, monkeypatch)
        screen = await _open_supervisor(app, pilot)
        o = screen.overview
        assert o is not None
        per_day = {d.day.isoformat(): d.visits for d in o.visits_per_day}
        assert len(o.visits_per_day) == 14
        assert per_day["2026-11-27"] == 2
        assert per_day["2026-11-26"] == 1
        assert per_day["2026-11-25"] == 1
        assert per_day["2026-11-20"] == 1
        assert o.visits_total == 5
        assert dict(o.outcomes) == {"done": 3, "nobody_home": 1, "refused": 1}
        assert dict(o.kinds)["card.loss_temporary"] == 1
        assert dict(o.kinds)["card.deliver"] == 1

        workers = {r.worker_id: r for r in o.workers}
        assert (workers["w-test"].visits, workers["w-test"].operations) == (2, 2)
        assert (workers["w-test"].rejections, workers["w-test"].conflicts) == (1, 1)
        assert (workers["w-2"].visits, workers["w-3"].visits) == (2, 1)
        assert workers["w-3"].last_activity.isoformat() == "2026-11-20"
        assert screen.query_one(WorkersTable).row_count == 3

        assert [(d.kind, d.person_name) for d in o.overdue] == [("issue", "陈玉兰")]
        assert [(d.kind, d.person_name, d.due.isoformat()) for d in o.coming] == [
            ("bank_account_closure", "符亚明", "2026-12-07")]
        assert screen.query_one(DeadlinesTable).row_count == 2

        (issue,) = o.issues
        assert (issue.worker_id, issue.rejections, issue.conflicts) == ("w-test", 1, 1)
        assert (issue.fresh, issue.week, issue.older, issue.oldest_days) == (1, 0, 1, 10)
        assert screen.query_one(IssuesTable).row_count == 1

        devices = {d.device_id: d for d in o.devices}
        mine = devices[app.ctx.session.vault.device_id]
        assert mine.this_device
        assert mine.stale
        assert devices["dev-w2-0001"].worker_id == "w-2"
        assert devices["dev-w2-0001"].stale
        assert screen.query_one(DevicesTable).row_count == 2

        text = screen_text(app)
        assert "近 14 天走访：共 5 户" in text
        assert ZH["outcome.refused"] in text
        assert "逾期" in text
        assert "还有 10 天" in text
        assert ZH["sup.device_stale"] in text
        assert "陈玉兰" in text
        assert "符亚明" in text


async def test_export_from_the_screen_writes_files_readers_open(make_app, monkeypatch, tmp_path):
    import openpyxl

    app = make_app()
    out = tmp_path / "out"
    out.mkdir()
    async with app.run_test(size=(140, 60)) as pilot:
        await unlock(pilot)
        seed_area(app.ctx, monkeypatch)
        screen = await _open_supervisor(app, pilot)
        panel = screen.query_one(ExportPanel)
        panel.query_one("#exp-folder").value = str(out)
        await pilot.press("ctrl+e")
        await settle(pilot)
        (folder,) = [p for p in out.iterdir() if p.is_dir()]
        assert not folder.name.endswith(".partial")
        (csv_file,) = folder.glob("*-visits.csv")
        with csv_file.open(encoding="utf-8-sig", newline="") as fh:
            rows = [r for r in csv.reader(fh)]
        body = [r for r in rows[1:] if r and not r[0].startswith("#")]
        assert len(body) == 6  # every visit the vault holds, the September one too (no date filter)
        assert folder.name in screen_text(app)  # where the files went

        # a second export, XLSX, filtered to one worker
        panel.query_one("#exp-format").value = "xlsx"
        panel.query_one("#exp-worker").value = "w-2"
        await pilot.press("ctrl+e")
        await settle(pilot)
        (xlsx,) = [f for p in out.iterdir() for f in p.glob("*.xlsx")]
        book = openpyxl.load_workbook(xlsx, read_only=True)
        sheet = book[[name for name in book.sheetnames if "走访" in name][0]]
        values = [row for row in sheet.iter_rows(values_only=True)]
        book.close()
        assert len([r for r in values[1:] if any(c is not None for c in r)]) == 2
        assert all("w-2" in [str(c) for c in r] for r in values[1:] if any(c is not None for c in r))


async def test_a_full_export_needs_a_purpose_and_shows_the_password_once(make_app, monkeypatch, tmp_path):
    app = make_app()
    out = tmp_path / "out"
    out.mkdir()
    async with app.run_test(size=(140, 60)) as pilot:
        await unlock(pilot)
        seed_area(app.ctx, monkeypatch)
        screen = await _open_supervisor(app, pilot)
        panel = screen.query_one(ExportPanel)
        panel.query_one("#exp-folder").value = str(out)
        panel.query_one("#exp-format").value = "xlsx"
        panel.query_one("#exp-full").value = True
        await pilot.press("ctrl+e")
        await settle(pilot)
        assert "完整导出须说明用途" in screen_text(app)
        assert list(out.iterdir()) == []  # refused: nothing written
        panel.query_one("#exp-purpose").value = "区人社局抽查"
        await pilot.press("ctrl+e")
        await settle(pilot)
        text = screen_text(app)
        assert "文件口令" in text
        found = re.search(r"[0-9A-Za-z]{4}(?:-[0-9A-Za-z]{4}){3}", text.split("文件口令")[1])
        assert found is not None
        password = found.group(0)
        (xlsx,) = [f for p in out.iterdir() for f in p.glob("*.xlsx")]
        import io

        import msoffcrypto

        plain = io.BytesIO()
        with xlsx.open("rb") as fh:
            office = msoffcrypto.OfficeFile(fh)
            office.load_key(password=password)
            office.decrypt(plain)
        assert plain.getvalue()[:2] == b"PK"
        assert any(op.kind == "audit.export" for op in app.ctx.session.vault.operations())


async def test_cancel_mid_export_leaves_no_complete_looking_file(make_app, monkeypatch, tmp_path):
    from outreach.exports import vault_source

    app = make_app()
    out = tmp_path / "out"
    out.mkdir()
    async with app.run_test(size=(140, 60)) as pilot:
        await unlock(pilot)
        seed_area(app.ctx, monkeypatch)
        screen = await _open_supervisor(app, pilot)
        reached = threading.Event()
        original = vault_source.VaultSource._visits

        def slow_visits(self, flt):
            for i, record in enumerate(original(self, flt)):
                yield record
                if i == 1:  # two rows written: wait here until the supervisor cancels
                    reached.set()
                    assert screen.cancel_event is not None
                    screen.cancel_event.wait(10)

        monkeypatch.setattr(vault_source.VaultSource, "_visits", slow_visits)
        monkeypatch.setattr("outreach.exports.engine.PROGRESS_EVERY", 1)
        screen.query_one(ExportPanel).query_one("#exp-folder").value = str(out)
        await pilot.press("ctrl+e")
        for _ in range(100):
            if reached.is_set():
                break
            await pilot.pause(0.05)
        assert reached.is_set()
        assert [p.name for p in out.iterdir()][0].endswith(".partial")  # being written
        from textual.widgets import ProgressBar

        bar = screen.query_one("#exp-progress", ProgressBar)
        for _ in range(40):  # the rows written so far reach the progress bar, against the vault's total
            if bar.progress >= 1:
                break
            await pilot.pause(0.05)
        assert bar.progress >= 1
        assert bar.total == screen.overview.totals["visits"]
        await pilot.press("ctrl+g")
        await settle(pilot)
        assert list(out.iterdir()) == []
        assert ZH["sup.export.cancelled"] in screen_text(app)
        assert app.ctx.session.vault.get_meta("export.checkpoint") is None  # "since last" did not move


async def test_a_worker_gets_no_supervisor_home(make_app, monkeypatch):
    app = make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await unlock(pilot)
        seed_area(app.ctx, monkeypatch, role="worker")
        app.screen.reload()
        await settle(pilot)
        assert ZH["bind.supervisor"] not in screen_text(app)  # not in the footer
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"主管")
        await settle(pilot)
        assert ZH["bind.supervisor"] not in screen_text(app)  # nor in the command palette


async def test_the_palette_offers_the_supervisor_home_to_a_supervisor(make_app, monkeypatch):
    app = make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await unlock(pilot)
        seed_area(app.ctx, monkeypatch)
        app.screen.reload()
        await settle(pilot)
        assert ZH["bind.supervisor"] in screen_text(app)  # in the footer
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"主管")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SupervisorScreen)


def test_bars_carry_their_numbers():
    from outreach.ui.widgets.supervisor.charts import bar_lines, hbar

    assert hbar(0, 10, 8) == ""
    assert hbar(10, 10, 8) == "█" * 8
    assert hbar(5, 10, 8) == "█" * 4
    lines = bar_lines([("已办理", 3), ("拒绝办理", 1)], width=6)
    assert lines[0].endswith("██████ 3")
    assert lines[1].endswith(" 1")


async def test_a_bad_date_is_said_and_nothing_is_written_at_80x24(make_app, monkeypatch, tmp_path):
    app = make_app()
    out = tmp_path / "out"
    out.mkdir()
    async with app.run_test(size=(80, 24)) as pilot:
        await unlock(pilot)
        seed_area(app.ctx, monkeypatch)
        screen = await _open_supervisor(app, pilot)
        panel = screen.query_one(ExportPanel)
        panel.query_one("#exp-folder").value = str(out)
        panel.query_one("#exp-from").focus()
        await pilot.press(*"2026-13-01")
        await pilot.press("ctrl+e")  # works from inside a filter field
        await settle(pilot)
        assert ZH["sup.export.bad_date"] in screen_text(app)
        assert list(out.iterdir()) == []
        assert not screen.exporting


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_snapshot(snap_compare, tmp_path, monkeypatch, lang, size):
    """Deterministic: the test clock, the vault's clocks frozen, a fixed device id and export folder."""
    import datetime as dt

    from outreach.i18n import set_language
    from outreach.ui.app import OutreachApp
    from storage import Vault
    from tests.support.context import NOW, PASSPHRASE, make_context, seed_center_people

    monkeypatch.setattr("storage.vault._now", lambda: "2026-11-27T01:30:00+00:00")
    moment = int(dt.datetime(2026, 11, 27, 9, 0, tzinfo=NOW.tzinfo).timestamp() * 1000)
    monkeypatch.setattr("storage.vault.wall_clock_ms", lambda: moment)
    monkeypatch.setenv("OUTREACH_DATA_DIR", "/srv/outreach")
    vault = Vault.create(tmp_path / "vault.db", PASSPHRASE, worker_id="w-test", device_id="dev-sup-0001")
    seed_center_people(vault)
    vault.close()
    ctx = make_context(tmp_path, create=False, lang=lang)
    set_language(lang)
    app = OutreachApp(ctx, blink=False, auto_sync_minutes=0, idle_check_seconds=3600)

    async def run_before(pilot) -> None:
        await unlock(pilot)
        seed_area(pilot.app.ctx, monkeypatch)
        await _open_supervisor(pilot.app, pilot)

    try:
        assert snap_compare(app, terminal_size=size, run_before=run_before)
    finally:
        ctx.close()
        set_language("zh_CN")
