"""The device roster a supervisor pulls: the devices of their area's workers (issue 14, "devices by last sync,
stale and revoked ones marked").

Without it a supervisor's laptop knows only itself and the devices named in the center's answers, and cannot
tell a colleague's laptop that stopped syncing from one that was revoked. Each worker or supervisor device
enrolled with an area is published as one ``device`` change (id: the device id) with what the supervisor needs
and nothing more: device id, worker, role, area, when it was enrolled, when it last synced, when it was revoked.
No key, no address, no operation.

Who pulls it is decided in :func:`sync.center.access.pull_filter` like every change: the row carries the
device's area in ``changes.area_code``, so a supervisor whose area is a prefix of it pulls it; a worker or an
employer host never does (the row has no person and no plan). The device itself does not pull its own row
(``origin``: it knows its own state better).

The row is written again on enrolment, on revocation, and when a sync moves the device's last sync by more
than :data:`SYNC_RESOLUTION` (so a laptop syncing every minute does not publish a change every minute: a
device is stale after days, see ``outreach.services.supervision.STALE_AFTER``). Writing ``changes`` takes the
log lock, held to commit (see :mod:`sync.center.sqlstore`); the device row itself is only read and updated
here, so the lock order (device, subjects, log) holds.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

from sync.center.store import iso

if TYPE_CHECKING:
    from sync.center.sqlstore import Tx

#: The change type of a roster row (sync.protocol.Change, storage.projections).
DEVICE_CHANGE_TYPE = "device"
#: Roles whose devices are on the roster (an employer host is HR staff of an employer, not the area's).
ROSTER_ROLES = ("worker", "supervisor")
#: A sync moves the published last sync only when it is at least this much later.
SYNC_RESOLUTION = dt.timedelta(minutes=15)
#: ``changes.person_id`` of a roster row: never a person id (those are checked by sync.center.roster.PERSON_ID
#: and never hold "#"), so no assignment can ever match it.
PERSON_PREFIX = "device#"

#: The migration: the devices' last sync, and the roster of the devices enrolled before it, last sync taken from
#: their last recorded operation. The JSON is built by each dialect the same way :func:`publish` does.
_BACKFILL_WHERE = "WHERE role IN ('worker', 'supervisor') AND area_code IS NOT NULL"
MIGRATION_SQLITE = (
    "ALTER TABLE devices ADD COLUMN last_sync_at TEXT",
    "UPDATE devices SET last_sync_at = (SELECT max(o.received_at) FROM operations o "
    "WHERE o.device_id = devices.device_id)",
    "INSERT INTO changes (type, id, version, data, person_id, owner, area_code, origin) "
    "SELECT 'device', device_id, 1, json_object('device_id', device_id, 'worker_id', worker_id, 'role', role, "
    "'area_code', area_code, 'enrolled_at', enrolled_at, 'last_sync_at', last_sync_at, 'revoked_at', revoked_at), "
    f"'{PERSON_PREFIX}' || device_id, worker_id, area_code, device_id FROM devices {_BACKFILL_WHERE} "
    "ORDER BY device_id",
)
MIGRATION_POSTGRESQL = (
    "ALTER TABLE devices ADD COLUMN last_sync_at TEXT",
    "UPDATE devices SET last_sync_at = (SELECT max(o.received_at) FROM operations o "
    "WHERE o.device_id = devices.device_id)",
    "INSERT INTO changes (type, id, version, data, person_id, owner, area_code, origin) "
    "SELECT 'device', device_id, 1, json_build_object('device_id', device_id, 'worker_id', worker_id, "
    "'role', role, 'area_code', area_code, 'enrolled_at', enrolled_at, 'last_sync_at', last_sync_at, "
    f"'revoked_at', revoked_at)::text, '{PERSON_PREFIX}' || device_id, worker_id, area_code, device_id "
    f"FROM devices {_BACKFILL_WHERE} ORDER BY device_id",
)


def publish(tx: Tx, device_id: str) -> bool:
    """Publish the device's roster row as it is now (a new ``change_seq``). False when the device is unknown or
    not on any roster (an employer host, a device enrolled without an area)."""
    rows = tx.rows("SELECT worker_id, role, area_code, enrolled_at, last_sync_at, revoked_at FROM devices "
                "WHERE device_id = ?", (device_id,))
    if not rows:
        return False
    worker, role, area, enrolled, last_sync, revoked = rows[0]
    if role not in ROSTER_ROLES or not area:
        return False
    data: dict[str, Any] = {"device_id": device_id, "worker_id": worker, "role": role, "area_code": area,
                            "enrolled_at": enrolled, "last_sync_at": last_sync, "revoked_at": revoked}
    tx.lock("log")  # every writer of changes holds it to commit: change_seq becomes visible in order
    before = tx.rows("SELECT version FROM changes WHERE type = ? AND id = ?", (DEVICE_CHANGE_TYPE, device_id))
    version = int(before[0][0]) + 1 if before else 1
    tx.write("DELETE FROM changes WHERE type = ? AND id = ?", (DEVICE_CHANGE_TYPE, device_id))
    tx.write("INSERT INTO changes (type, id, version, data, person_id, owner, area_code, origin) "
         "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
         (DEVICE_CHANGE_TYPE, device_id, version, json.dumps(data), PERSON_PREFIX + device_id, worker, area,
          device_id))
    return True


def synced(tx: Tx, device_id: str, now: dt.datetime) -> bool:
    """Record that the device synced at ``now``; republish its row when that moves its last sync by at least
    :data:`SYNC_RESOLUTION`. True when the row was published."""
    rows = tx.rows("SELECT last_sync_at FROM devices WHERE device_id = ?", (device_id,))
    if not rows:
        return False
    last = rows[0][0]
    if last is not None and dt.datetime.fromisoformat(str(last)) > now - SYNC_RESOLUTION:
        return False
    tx.execute("UPDATE devices SET last_sync_at = ? WHERE device_id = ?", (iso(now), device_id))
    return publish(tx, device_id)


def needs_sync_note(last_sync_at: str | None, now: dt.datetime) -> bool:
    """True when a sync at ``now`` would move a last sync of ``last_sync_at`` (a cheap read before a write)."""
    return last_sync_at is None or dt.datetime.fromisoformat(last_sync_at) <= now - SYNC_RESOLUTION
