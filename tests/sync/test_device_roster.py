"""The device roster (sync/center/device_roster.py): a supervisor pulls the devices of their area's workers with
their last sync and revocation through the normal pull, over the real app, on SQLite and PostgreSQL; a worker,
an employer host and a supervisor of another area get none of them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sync.center import device_roster
from sync.center.migrations import MIGRATIONS
from sync.center.store import Device
from sync.client.client import sync_once
from tests.sync.conftest import make_store

COUNTY, OTHER = "4601", "4602"


def _pull(center: Any, vault: Any) -> dict[str, dict[str, Any]]:
    s = sync_once(vault, center.url, transport=center.transport)
    assert s.errors == []
    return {d["device_id"]: d for d in vault.center_devices()}


def _area(center: Any, make_vault: Any) -> dict[str, Any]:
    v = {
        "w1": make_vault("w1"), "w2": make_vault("w2"), "far": make_vault("far"),
        "sup": make_vault("sup"), "sup_far": make_vault("sup-far"), "host": make_vault("host"),
        "sup2": make_vault("sup2"),
    }
    center.enrol(v["w1"], "worker", COUNTY + "05")
    center.enrol(v["w2"], "worker", COUNTY)
    center.enrol(v["far"], "worker", OTHER + "01")
    center.enrol(v["sup"], "supervisor", COUNTY)
    center.enrol(v["sup2"], "supervisor", COUNTY + "05")
    center.enrol(v["sup_far"], "supervisor", OTHER)
    center.enrol(v["host"], "employer_host")
    return v


def test_a_supervisor_pulls_the_devices_of_their_area_and_no_one_else_does(center, make_vault):
    v = _area(center, make_vault)
    for name in ("w1", "w2", "far"):
        assert sync_once(v[name], center.url, transport=center.transport).errors == []

    seen = _pull(center, v["sup"])
    # their area's workers and the other supervisor of the area; not themselves (they know their own state),
    # not the other county's worker, not the employer host
    assert set(seen) == {v["w1"].device_id, v["w2"].device_id, v["sup2"].device_id}
    w1 = seen[v["w1"].device_id]
    assert (w1["worker_id"], w1["role"], w1["area_code"], w1["revoked_at"]) == ("w1", "worker", "460105", None)
    assert w1["last_sync_at"] is not None  # w1 synced
    assert seen[v["sup2"].device_id]["role"] == "supervisor"
    assert set(w1) == {"device_id", "worker_id", "role", "area_code", "enrolled_at", "last_sync_at", "revoked_at"}

    # the narrower supervisor sees only their sub-area; the other county's only theirs
    assert set(_pull(center, v["sup2"])) == {v["w1"].device_id}
    assert set(_pull(center, v["sup_far"])) == {v["far"].device_id}
    # a worker and an employer host pull no device at all
    for name in ("w1", "w2", "far", "host"):
        assert _pull(center, v[name]) == {}, name


def test_revocation_and_later_syncs_reach_the_supervisor(center, make_vault):
    v = _area(center, make_vault)
    first = _pull(center, v["sup"])
    assert first[v["w2"].device_id]["last_sync_at"] is None  # enrolled, never synced

    assert sync_once(v["w2"], center.url, transport=center.transport).errors == []
    synced = _pull(center, v["sup"])[v["w2"].device_id]
    assert synced["last_sync_at"] is not None

    # syncing again within the resolution publishes nothing new; later it moves the last sync on
    now = center.clock()
    store = center.store
    store.record_sync(store.device(v["w2"].device_id), now + dt.timedelta(minutes=1))
    assert _pull(center, v["sup"])[v["w2"].device_id] == synced
    later = now + device_roster.SYNC_RESOLUTION + dt.timedelta(minutes=1)
    store.record_sync(store.device(v["w2"].device_id), later)
    moved = _pull(center, v["sup"])[v["w2"].device_id]
    assert dt.datetime.fromisoformat(moved["last_sync_at"]) > dt.datetime.fromisoformat(synced["last_sync_at"])

    assert store.revoke(v["w1"].device_id, center.clock())
    roster = _pull(center, v["sup"])
    assert roster[v["w1"].device_id]["revoked_at"] is not None
    assert roster[v["w2"].device_id]["revoked_at"] is None
    assert not store.revoke("no-such-device", center.clock())


def test_a_pull_with_nothing_new_brings_no_roster_row_again(center, make_vault):
    v = _area(center, make_vault)
    _pull(center, v["sup"])
    applied: list[str] = []
    real = v["sup"].apply_pulled

    def apply(changes: list[dict[str, Any]], checkpoint: str) -> None:
        applied.extend(c["type"] for c in changes)
        real(changes, checkpoint)

    v["sup"].apply_pulled = apply
    _pull(center, v["sup"])
    assert "device" not in applied  # the supervisor's own sync publishes nothing they would pull


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_devices_enrolled_before_the_roster_are_published_by_the_migration(kind, tmp_path, request):
    store = make_store(kind, tmp_path, request, migrate=False)
    try:
        before = MIGRATIONS[:[m.name for m in MIGRATIONS].index("0010_device_roster")]
        store.migrate(before)

        def old_devices(tx: Any) -> None:
            for device, worker, role, area, revoked in (("d-w", "w", "worker", "460100", None),
                                                       ("d-r", "r", "worker", "460101", "2026-01-02T00:00:00.000+00:00"),
                                                       ("d-h", "h", "employer_host", None, None),
                                                       ("d-n", "n", "worker", None, None)):
                tx.execute("INSERT INTO devices (device_id, worker_id, role, area_code, public_key, enrolled_at, "
                     "revoked_at, last_hash) VALUES (?, ?, ?, ?, '00', '2026-01-01T00:00:00.000+00:00', ?, 'g')",
                     (device, worker, role, area, revoked))

        store.transaction(old_devices)
        assert store.init_schema() == [m.name for m in MIGRATIONS[len(before):]]
        sup = Device("sup-dev", "sup", "supervisor", "4601", b"\0" * 32, False)
        changes, _, _ = store.pull(sup, 0, 100)
        rows = {c.id: c.data for c in changes if c.type == "device"}
        assert set(rows) == {"d-w", "d-r"}  # no host, no device without an area
        assert rows["d-w"] == {"device_id": "d-w", "worker_id": "w", "role": "worker", "area_code": "460100",
                               "enrolled_at": "2026-01-01T00:00:00.000+00:00", "last_sync_at": None,
                               "revoked_at": None}
        assert rows["d-r"]["revoked_at"] == "2026-01-02T00:00:00.000+00:00"
        # the first sync after the upgrade republishes with a new version
        store.record_sync(store.device("d-w"), dt.datetime.now(dt.UTC))
        changes, _, _ = store.pull(sup, 0, 100)
        again = {c.id: c for c in changes if c.type == "device"}
        assert again["d-w"].version == 2
        assert again["d-w"].data["last_sync_at"] is not None
    finally:
        store.close()
