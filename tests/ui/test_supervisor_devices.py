"""The supervisor home's devices table from the center's roster (sync/center/device_roster.py): the laptop is
enrolled as the area's supervisor at a real embedded center, pulls, and lists every device of its area's
workers with role, last sync and state: one synced, one never synced (stale), one revoked; a worker of another
area is not listed; a worker's laptop gets no roster."""

from __future__ import annotations

import datetime as dt

import pytest

from outreach.i18n import CATALOGUES
from outreach.ui.screens.supervisor import SupervisorScreen
from outreach.ui.widgets.supervisor.tables import DevicesTable
from storage import Vault
from sync.client.client import enrol, sync_once
from tests.support.context import make_context
from tests.support.pilot import screen_text, settle, unlock
from tests.support.vaults import PASSPHRASE, use_cheap_kdf

pytestmark = pytest.mark.anyio
ZH = CATALOGUES["zh_CN"]


@pytest.fixture
def center(tmp_path):
    from sync.center.embedded import EmbeddedCenter

    running = EmbeddedCenter(tmp_path / "center.db")
    running.start()
    yield running
    running.stop()


def _colleague(tmp_path, center, worker: str, area: str) -> Vault:
    vault = Vault.create(tmp_path / f"{worker}.db", PASSPHRASE, worker_id=worker)
    enrol(vault, center.url, center.store.create_enrol_code(worker, "worker", area, dt.timedelta(hours=1)))
    return vault


def _row_texts(table: DevicesTable) -> dict[str, list[str]]:
    return {str(key.value): [str(c) for c in table.get_row(key)] for key in table.rows}


async def test_the_devices_table_lists_the_areas_devices_with_stale_and_revoked_marked(tmp_path, center,
                                                                                      monkeypatch):
    from outreach.ui.app import OutreachApp
    from sync.client.client import SyncClient

    with monkeypatch.context() as m:  # the colleagues' vaults stay open: cheap keys for them only (the app's
        use_cheap_kdf(m)  # vault is a copy of the session's template, made with its own)
        fresh = _colleague(tmp_path, center, "w-fresh", "460105")
        quiet = _colleague(tmp_path, center, "w-quiet", "460106")
        gone = _colleague(tmp_path, center, "w-gone", "460107")
        far = _colleague(tmp_path, center, "w-far", "460200")
    try:
        assert sync_once(fresh, center.url).errors == []
        assert sync_once(far, center.url).errors == []
        assert center.store.revoke(gone.device_id, dt.datetime.now(dt.UTC))

        ctx = make_context(tmp_path / "laptop", sync_factory=lambda vault: SyncClient(vault, center.url))
        try:
            app = OutreachApp(ctx, blink=False, auto_sync_minutes=0, idle_check_seconds=3600)
            async with app.run_test(size=(160, 70)) as pilot:
                await unlock(pilot)
                ctx.sync.enrol(center.url, center.store.create_enrol_code("w-test", "supervisor", "4601",
                                                                          dt.timedelta(hours=1)))
                summary = ctx.sync.run()
                assert summary.error_key is None, summary
                app.screen.reload()
                await settle(pilot)
                await pilot.press("m")
                await settle(pilot)
                screen = app.screen
                assert isinstance(screen, SupervisorScreen)
                devices = {d.device_id: d for d in screen.overview.devices}
                assert set(devices) == {ctx.session.vault.device_id, fresh.device_id, quiet.device_id,
                                        gone.device_id}  # not the other county's laptop
                assert (devices[fresh.device_id].stale, devices[fresh.device_id].revoked) == (False, False)
                assert devices[fresh.device_id].last_seen is not None
                assert (devices[quiet.device_id].stale, devices[quiet.device_id].revoked) == (True, False)
                assert devices[gone.device_id].revoked is True
                assert all(devices[d].role == "worker" for d in (fresh.device_id, quiet.device_id, gone.device_id))

                rows = _row_texts(screen.query_one(DevicesTable))
                assert len(rows) == 4
                assert rows[fresh.device_id][1:3] == ["w-fresh", ZH["sup.role.worker"]]
                assert ZH["sup.device_ok"] in rows[fresh.device_id][4]
                assert ZH["sup.device_unknown_revoked"] not in rows[fresh.device_id][4]  # the center said
                assert rows[quiet.device_id][3] == ZH["sup.never"]
                assert ZH["sup.device_stale"] in rows[quiet.device_id][4]
                assert ZH["sup.device_revoked"] in rows[gone.device_id][4]
                assert ZH["sup.device_ok"] not in rows[gone.device_id][4]
                text = screen_text(app)
                assert "w-quiet" in text
                assert "w-gone" in text
                assert "w-far" not in text
        finally:
            ctx.close()

        # a worker's laptop pulls no roster at all, even of its own county
        assert sync_once(quiet, center.url).errors == []
        assert quiet.center_devices() == []
    finally:
        for v in (fresh, quiet, gone, far):
            v.close()
