"""A center database as the code before migrations made it, and a description of a database's schema.

``LEGACY_DDL`` is a frozen copy of the schema string the center ran at every start before it had migrations
(``sync/center/sqlstore.py``, DDL, until issue 8), executed the way that code executed it. Never edit it: it
stands for the databases already deployed.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any

import psycopg

LEGACY_DDL = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS enrol_codes (code_hash TEXT PRIMARY KEY, worker_id TEXT NOT NULL, role TEXT NOT NULL,
  area_code TEXT, expires_at TEXT NOT NULL, used_at TEXT, device_id TEXT);
CREATE TABLE IF NOT EXISTS devices (device_id TEXT PRIMARY KEY, worker_id TEXT NOT NULL, role TEXT NOT NULL,
  area_code TEXT, public_key TEXT NOT NULL, enrolled_at TEXT NOT NULL, revoked_at TEXT,
  last_seq BIGINT NOT NULL DEFAULT 0, last_hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS nonces (device_id TEXT NOT NULL, nonce TEXT NOT NULL, seen_at TEXT NOT NULL,
  PRIMARY KEY (device_id, nonce));
CREATE TABLE IF NOT EXISTS operations (op_id TEXT PRIMARY KEY, device_id TEXT NOT NULL, seq BIGINT,
  worker_id TEXT NOT NULL, kind TEXT NOT NULL, subject TEXT NOT NULL, hlc TEXT NOT NULL, hash TEXT NOT NULL,
  body TEXT NOT NULL, status TEXT NOT NULL, code TEXT, message_zh TEXT, message_en TEXT, subject_version BIGINT,
  resolves TEXT,
  received_at TEXT NOT NULL, log_index BIGINT NOT NULL UNIQUE, UNIQUE (device_id, seq));
CREATE INDEX IF NOT EXISTS operations_subject ON operations (subject, subject_version);
CREATE INDEX IF NOT EXISTS operations_worker ON operations (worker_id, subject);
CREATE TABLE IF NOT EXISTS subjects (subject TEXT PRIMARY KEY, version BIGINT NOT NULL, area_code TEXT,
  person TEXT, cards TEXT);
CREATE TABLE IF NOT EXISTS changes (change_seq {serial} PRIMARY KEY, type TEXT NOT NULL, id TEXT NOT NULL,
  version BIGINT NOT NULL, data TEXT NOT NULL, person_id TEXT NOT NULL, owner TEXT, area_code TEXT,
  UNIQUE (type, id));
CREATE TABLE IF NOT EXISTS assignments (worker_id TEXT NOT NULL, person_id TEXT NOT NULL, assigned_at TEXT NOT NULL,
  PRIMARY KEY (worker_id, person_id));
CREATE TABLE IF NOT EXISTS merkle (idx BIGINT PRIMARY KEY, leaf TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS enrol_failures (worker_id TEXT NOT NULL, failed_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS enrol_failures_worker ON enrol_failures (worker_id, failed_at);
CREATE INDEX IF NOT EXISTS enrol_failures_at ON enrol_failures (failed_at);
"""


def _statements(serial: str) -> list[str]:
    return [s for s in LEGACY_DDL.format(serial=serial).split(";") if s.strip()]


def create_legacy_sqlite(path: Path) -> None:
    """The old ``SqliteStore.init_schema``: WAL, then the DDL with AUTOINCREMENT, in one transaction."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(path, isolation_level=None)
    try:
        con.execute("PRAGMA journal_mode = WAL")
        con.execute("BEGIN IMMEDIATE")
        for stmt in _statements("INTEGER"):
            con.execute(stmt.replace("INTEGER PRIMARY KEY", "INTEGER PRIMARY KEY AUTOINCREMENT"))
        con.execute("COMMIT")
    finally:
        con.close()


def create_legacy_pg(url: str, schema: str) -> None:
    """The old ``PgStore.init_schema``: the DDL with BIGSERIAL, in one transaction, in ``schema``."""
    with psycopg.connect(url, autocommit=True) as con:
        con.execute(f'SET search_path TO "{schema}"')
        with con.transaction():
            con.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
            for stmt in _statements("BIGSERIAL"):
                con.execute(stmt)


def _norm(sql: str) -> str:
    return re.sub(r"\s+", " ", sql).replace("( ", "(").replace(" )", ")").strip()


def describe_sqlite(path: Path) -> dict[str, Any]:
    """Every table's and index's definition and columns, but ``schema_migrations`` (read from the catalogue)."""
    con = sqlite3.connect(path)
    try:
        out: dict[str, Any] = {}
        for kind, name, sql in con.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name"):
            if name in ("schema_migrations", "sqlite_autoindex_schema_migrations_1"):
                continue
            columns = con.execute(f'PRAGMA table_info("{name}")').fetchall() if kind == "table" else []
            out[name] = (kind, _norm(sql or ""), columns)
        return out
    finally:
        con.close()


def describe_pg(url: str, schema: str) -> dict[str, Any]:
    """Columns (type, null, default), indexes and constraints of every table but ``schema_migrations``."""
    with psycopg.connect(url, autocommit=True) as con:
        columns = con.execute(
            "SELECT table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns "
            "WHERE table_schema = %s AND table_name <> 'schema_migrations' ORDER BY table_name, ordinal_position",
            (schema,)).fetchall()
        indexes = con.execute(
            "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = %s "
            "AND tablename <> 'schema_migrations' ORDER BY indexname", (schema,)).fetchall()
        constraints = con.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE connamespace = %s::regnamespace AND conrelid::regclass::text NOT LIKE '%%schema_migrations' "
            "ORDER BY conname", (schema,)).fetchall()
    strip = f'"{schema}".', f"{schema}."
    def clean(v: Any) -> Any:
        if isinstance(v, str):
            for s in strip:
                v = v.replace(s, "")
        return v
    return {"columns": [tuple(map(clean, r)) for r in columns],
            "indexes": [tuple(map(clean, r)) for r in indexes],
            "constraints": [tuple(map(clean, r)) for r in constraints]}
