"""The center's SQLite database holds every person's name, identity number and address in plaintext: it and its
journal files are private to the center's user (mode 600) whatever the umask, as the vault is (issue 9)."""

from __future__ import annotations

import datetime as dt
import os
import stat

from sync.center.sqlite_store import SqliteStore


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_center_database_is_private_whatever_the_umask(tmp_path, people):
    db = tmp_path / "srv" / "center.db"
    old = os.umask(0)
    try:
        store = SqliteStore(db)
        store.init_schema()
        store.load_people([people.adult().model_dump(mode="json")], dt.datetime.now(dt.UTC))
        files = [db, db.with_name("center.db-wal"), db.with_name("center.db-shm")]
        assert all(f.exists() for f in files)
        assert {f.name: _mode(f) for f in files} == {f.name: 0o600 for f in files}
        assert _mode(db.parent) == 0o700  # a folder the center made for it
        store.close()
    finally:
        os.umask(old)


def test_an_old_world_readable_center_database_is_made_private(tmp_path, people):
    db = tmp_path / "center.db"
    store = SqliteStore(db)
    store.init_schema()
    store.close()
    os.chmod(db, 0o644)
    again = SqliteStore(db)
    again.init_schema()
    assert _mode(db) == 0o600
    again.close()
