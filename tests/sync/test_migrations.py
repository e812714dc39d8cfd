"""The center's schema migrations on SQLite and PostgreSQL: a fresh database, one made before migrations
existed (adopted, data kept, upgraded), a newer database refused, a failing step undone, processes starting
at once."""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from outreach.cli.main import main
from sync.center import device_roster, migrations, oplogic, person_keys, throttle
from sync.center.migrations import MIGRATIONS, Migration
from sync.client.client import sync_once
from sync.errors import MigrationFailed, SchemaTooNew
from tests.sync.conftest import Center, make_store, pg_url
from tests.sync.legacy_center import create_legacy_pg, create_legacy_sqlite, describe_pg, describe_sqlite

ROOT = Path(__file__).resolve().parents[2]
NAMES = [m.name for m in MIGRATIONS]
KINDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def _make_legacy(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    if kind == "sqlite":
        create_legacy_sqlite(tmp_path / "center.db")
    else:
        create_legacy_pg(*request.getfixturevalue("pg_schema"))


def _only_0001(store):
    store.migrate(MIGRATIONS[:1])


@pytest.mark.parametrize("kind", KINDS)
def test_a_fresh_database_gets_every_migration_once(kind, tmp_path, request):
    store = make_store(kind, tmp_path, request, migrate=False)
    try:
        assert store.init_schema() == NAMES
        assert store.applied_migrations() == NAMES
        assert store.init_schema() == []  # the next start has nothing to do
    finally:
        store.close()
    again = make_store(kind, tmp_path, request, migrate=False)
    try:
        assert again.init_schema() == []
        assert again.applied_migrations() == NAMES
    finally:
        again.close()


def test_migration_0001_is_the_schema_of_the_code_before_migrations_on_sqlite(tmp_path):
    create_legacy_sqlite(tmp_path / "old" / "center.db")
    store = make_store("sqlite", tmp_path / "new", None, migrate=False)  # type: ignore[arg-type]
    _only_0001(store)
    store.close()
    old, new = describe_sqlite(tmp_path / "old" / "center.db"), describe_sqlite(tmp_path / "new" / "center.db")
    assert "changes" in new
    assert "AUTOINCREMENT" in new["changes"][1]
    assert new == old


@pytest.mark.postgres
def test_migration_0001_is_the_schema_of_the_code_before_migrations_on_postgresql(pg_schema, tmp_path, request):
    url, schema = pg_schema
    store = make_store("postgres", tmp_path, request, migrate=False)
    _only_0001(store)
    store.close()
    old_schema = "t_" + secrets.token_hex(6)
    try:
        create_legacy_pg(url, old_schema)
        new, old = describe_pg(url, schema), describe_pg(url, old_schema)
        assert any(col[:2] == ("changes", "change_seq") and "nextval" in str(col[4]) for col in new["columns"])
        assert new == old
    finally:
        with psycopg.connect(url, autocommit=True) as con:
            con.execute(f'DROP SCHEMA IF EXISTS "{old_schema}" CASCADE')


@pytest.mark.parametrize("kind", KINDS)
def test_a_database_made_before_migrations_keeps_its_data_and_is_upgraded(
        kind, tmp_path, request, make_vault, people, monkeypatch):
    _make_legacy(kind, tmp_path, request)
    old = make_store(kind, tmp_path, request, migrate=False)  # the code before migrations never ran any
    with monkeypatch.context() as m:  # ... and counted refused enrolments in a table of its own
        m.setattr(throttle, "held", lambda *a: False)
        m.setattr(throttle, "failed", lambda *a: None)
        # this code stores the log's subtrees as it appends (merkle_log.py), each change's origin, the person
        # keys (person_keys.py), and, on PostgreSQL, gives log positions late (oplogic.sequence); the old code
        # did none of it: what this code needs is there while it plays the old one, and undone after (the
        # upgrade rebuilds the subtrees)
        scaffold = ["CREATE TABLE merkle_nodes (id BIGINT PRIMARY KEY, hash TEXT NOT NULL)",
                    "ALTER TABLE changes ADD COLUMN origin TEXT", *person_keys.MIGRATION,
                    "ALTER TABLE devices ADD COLUMN last_sync_at TEXT"]
        undo = ["DROP TABLE merkle_nodes", "ALTER TABLE changes DROP COLUMN origin", "DROP TABLE person_keys",
                "ALTER TABLE devices DROP COLUMN last_sync_at"]
        # a pull reads the session tables (the sessions a worker operates, sync/center/access.py)
        from sync.center.sessions_schema import SESSION_OPERATORS_MIGRATION, SESSIONS_MIGRATION

        scaffold += [*SESSIONS_MIGRATION, *SESSION_OPERATORS_MIGRATION]
        undo += [f"DROP TABLE {t}" for t in ("enrol_code_employers", "device_employers", "sessions",
                                              "session_roster", "session_ops", "session_closes", "session_operators")]
        if kind == "postgres":
            scaffold.append("ALTER TABLE operations ALTER COLUMN log_index DROP NOT NULL")
            undo.append("ALTER TABLE operations ALTER COLUMN log_index SET NOT NULL")
        old.transaction(lambda tx: [tx.execute(sql) for sql in scaffold])
        real_change = oplogic._change
        m.setattr(oplogic, "_change", lambda *a: real_change(*a[:8]))  # ... and recorded no change's origin
        m.setattr(device_roster, "publish", lambda *a: False)  # ... and published no device roster
        before, device = _use_old(old, make_vault, people)
        again = make_store(kind, tmp_path, request, migrate=False)
        again.transaction(lambda tx: [tx.execute(sql) for sql in undo])
        again.close()
    later = [*MIGRATIONS, Migration.same("0099_device_note", "ALTER TABLE devices ADD COLUMN note TEXT")]
    monkeypatch.setattr(migrations, "MIGRATIONS", later)
    store = make_store(kind, tmp_path, request, migrate=False)
    try:
        assert store.init_schema() == [*NAMES, "0099_device_note"]  # adopted, then upgraded
        assert store.applied_migrations() == [*NAMES, "0099_device_note"]
        _check_upgraded(store, before, device, people)
    finally:
        store.close()


def _use_old(old, make_vault, people):
    center = Center(old)
    v = make_vault("alice")
    center.enrol(v)
    p, q = people.adult(), people.person()
    people.register(v, p)
    people.apply(v, p)
    old.load_people([q.model_dump(mode="json")], center.clock())
    old.assign("alice", [q.person_id], center.clock())
    assert sync_once(v, center.url, transport=center.transport).errors == []
    device = old.device(v.device_id)
    assert device is not None
    before = (old.center_keys(), old.status(), old.log_proof(0).checkpoint, old.pull(device, 0, 1000), v)
    center.bridge.close()
    old.close()
    return before, device


def _check_upgraded(store, before, device, people):
    keys, status, checkpoint, pulled, v = before
    assert store.center_keys() == keys
    now = store.status()
    assert (now["devices"], now["open_conflicts"]) == (status["devices"], status["open_conflicts"])
    assert (store.log_proof(0).checkpoint.tree_size, store.log_proof(0).checkpoint.root) == \
        (checkpoint.tree_size, checkpoint.root)
    assert store.pull(device, 0, 1000) == pulled
    # the laptop keeps working with the upgraded center: same keys, a log that extends what it saw
    upgraded = Center(store)
    try:
        people.register(v, people.person())
        s = sync_once(v, upgraded.url, transport=upgraded.transport)
        assert (s.applied, s.errors) == (1, [])
    finally:
        upgraded.bridge.close()


@pytest.mark.parametrize("kind", KINDS)
def test_a_database_written_by_a_newer_version_is_refused_in_words(kind, tmp_path, request, monkeypatch):
    future = [*MIGRATIONS, Migration.same("0999_from_the_future", "CREATE TABLE future_things (x TEXT)")]
    monkeypatch.setattr(migrations, "MIGRATIONS", future)
    newer = make_store(kind, tmp_path, request)
    newer.close()
    monkeypatch.setattr(migrations, "MIGRATIONS", MIGRATIONS)
    store = make_store(kind, tmp_path, request, migrate=False)
    try:
        with pytest.raises(SchemaTooNew) as refused:
            store.init_schema()
        assert "更新版本" in refused.value.text()
        assert "newer version" in refused.value.text()
        assert store.applied_migrations() == [*NAMES, "0999_from_the_future"]  # nothing changed
    finally:
        store.close()


def test_the_cli_refuses_a_newer_database_in_words(tmp_path, monkeypatch, capsys):
    db = tmp_path / "center.db"
    monkeypatch.setattr(migrations, "MIGRATIONS", [*MIGRATIONS, Migration.same("0999_from_the_future")])
    assert main(["center", "status", "--db", str(db)]) == 0
    monkeypatch.setattr(migrations, "MIGRATIONS", MIGRATIONS)
    capsys.readouterr()
    assert main(["center", "status", "--db", str(db)]) == 1
    err = capsys.readouterr().err
    assert "中心数据库由更新版本的程序创建" in err
    assert "newer version" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("kind", KINDS)
def test_a_failing_migration_changes_nothing_and_says_which_step(kind, tmp_path, request, monkeypatch):
    store = make_store(kind, tmp_path, request)
    try:
        half = Migration.same("0002_half", "CREATE TABLE half_done (x TEXT)", "ALTER TABLE no_such_table ADD y TEXT")
        monkeypatch.setattr(migrations, "MIGRATIONS", [*MIGRATIONS, half])
        with pytest.raises(MigrationFailed) as failed:
            store.init_schema()
        assert failed.value.detail == "0002_half"
        assert "升级失败" in failed.value.text()
        assert "changed nothing" in failed.value.text()
        assert store.applied_migrations() == NAMES
        # the first statement was undone with the rest: the corrected step creates the same table again
        fixed = Migration.same("0002_half", "CREATE TABLE half_done (x TEXT)")
        monkeypatch.setattr(migrations, "MIGRATIONS", [*MIGRATIONS, fixed])
        assert store.init_schema() == ["0002_half"]
    finally:
        store.close()


_STARTER = """
import json, sys, time
from sync.center.pg_store import PgStore
from sync.center.sqlite_store import SqliteStore
kind, where, schema, at = sys.argv[1:5]
store = PgStore(where, schema=schema) if kind == "postgres" else SqliteStore(where)
time.sleep(max(0.0, float(at) - time.time()))
print(json.dumps(store.init_schema()))
store.close()
"""


@pytest.mark.parametrize("kind", KINDS)
def test_processes_starting_at_once_apply_each_migration_once(kind, tmp_path, request):
    if kind == "sqlite":
        where, schema = str(tmp_path / "center.db"), ""
    else:
        url = pg_url()
        assert url
        where, schema = url, request.getfixturevalue("pg_schema")[1]  # the schema does not exist yet
    at = time.time() + 4  # all of them past their imports, then at the same instant
    procs = [subprocess.Popen([sys.executable, "-c", _STARTER, kind, where, schema, str(at)], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(4)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0] * 4, [err[-500:] for _, err in outs]
    applied = [json.loads(out) for out, _ in outs]
    # each migration runs in its own transaction: any process may apply any of them, but each exactly once
    done = [name for names in applied for name in names]
    assert sorted(done) == sorted(NAMES), applied
    store = make_store(kind, tmp_path, request, migrate=False)
    try:
        assert store.applied_migrations() == NAMES
    finally:
        store.close()
