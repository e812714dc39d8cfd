"""The factory choosing the center's store from a database address: PostgreSQL by URL, SQLite by file.

Addresses taken (``--db``, ``OUTREACH_CENTER_DB``):

=================================== ==========================================================
``postgresql://user@host/db``       PostgreSQL (any libpq URL; ``postgres://`` too)
``sqlite:///srv/center/center.db``  SQLite file ``/srv/center/center.db``: after ``sqlite://`` comes an
                                    empty host and an absolute path, as in a ``file:`` URL (so
                                    ``sqlite:////srv/center.db`` is the same file)
``sqlite:data/center.db``           SQLite file ``data/center.db``, relative to the working folder
``/srv/center.db``, ``center.db``   a plain path: a SQLite file (``~`` is expanded)
=================================== ==========================================================

Anything else (another scheme, a host in a ``sqlite://`` address, an empty path, a folder) is refused in
words before anything is created. A refusal never repeats the address: a URL may carry a password.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, NoReturn

from sync.center.sqlstore import SqlStore
from sync.errors import BadDatabaseAddress

#: A PostgreSQL schema name the center accepts: plain, lower-case, never quoted-in anything else.
SCHEMA_NAME_PATTERN = r"^[a-z_][a-z0-9_]{0,62}$"
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_PG_SCHEMES = ("postgresql", "postgres")


@dataclass(frozen=True)
class DatabaseAddress:
    """Where a center's store lives: ``kind`` and either a SQLite ``path`` or a PostgreSQL ``url``."""

    kind: Literal["sqlite", "postgresql"]
    path: Path | None = None
    url: str | None = None


def parse_address(address: str | Path) -> DatabaseAddress:
    """Read a database address (the forms in this module's documentation).

    Raises:
        BadDatabaseAddress: an address of another kind, or a malformed one.
    """
    if isinstance(address, Path):
        return _sqlite_path(address)
    text = address.strip()
    match = _SCHEME.match(text)
    if match is None or len(match.group(1)) == 1:  # no scheme, or a Windows drive letter
        return _sqlite_path(Path(text).expanduser()) if text else _refuse("empty")
    scheme = match.group(1).lower()
    if scheme in _PG_SCHEMES:
        if not text[match.end():].startswith("//"):
            _refuse(scheme)
        return DatabaseAddress("postgresql", url=text)
    if scheme != "sqlite":
        _refuse(scheme)
    rest = text[match.end():]
    if rest.startswith("//"):
        host, slash, path = rest[2:].partition("/")
        if host not in ("", "localhost") or not slash or not path.strip("/"):
            _refuse("sqlite")
        return _sqlite_path(Path("/" + path.lstrip("/")))
    return _sqlite_path(Path(rest).expanduser()) if rest else _refuse("sqlite")


def _sqlite_path(path: Path) -> DatabaseAddress:
    if path.is_dir():
        raise BadDatabaseAddress("folder", message_zh="数据库地址是一个文件夹，请给出 SQLite 文件的路径",
                                 message_en="the database address is a folder; give the path of a SQLite file")
    return DatabaseAddress("sqlite", path=path)


def _refuse(what: str) -> NoReturn:
    raise BadDatabaseAddress(what)


def open_store(address: str | Path, *, schema: str | None = None, key_file: Path | None = None,
               migrate: bool = True) -> SqlStore:
    """Open the center's store at ``address``.

    Args:
        address: a database address (this module's documentation).
        schema: PostgreSQL only: the schema holding the center's tables (default: the search path's).
        key_file: keep the center's private keys in this file (mode 600) rather than the database.
        migrate: bring the schema up to date now (:meth:`Store.init_schema`); otherwise the caller does.

    Raises:
        BadDatabaseAddress: the address is of another kind or malformed (nothing was created).
        StoreError: migrating failed (see :meth:`Store.init_schema`), or ``schema`` is not a plain name.
    """
    where = parse_address(address)
    store: SqlStore
    if where.kind == "postgresql":
        from sync.center.pg_store import PgStore

        assert where.url is not None
        store = PgStore(where.url, schema=schema)
    else:
        from sync.center.sqlite_store import SqliteStore

        assert where.path is not None
        store = SqliteStore(where.path)
    try:
        if migrate:
            store.init_schema()
        if key_file is not None:
            store.use_key_file(key_file)
    except BaseException:
        store.close()
        raise
    return store
