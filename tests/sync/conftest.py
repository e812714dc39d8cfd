"""Fixtures of the sync tests: center stores on SQLite and PostgreSQL, real vaults, in-process transport."""

from __future__ import annotations

import datetime as dt
import os
import secrets
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from outreach.domain.enums import CardStatus
from outreach.services.seed import _Gen
from storage import Vault
from sync.center.app import create_app
from sync.center.pg_store import PgStore
from sync.center.sqlite_store import SqliteStore
from sync.center.sqlstore import SqlStore
from sync.client.client import enrol
from tests.support.vaults import PASSPHRASE, use_cheap_kdf
from tests.sync.asgi import AsgiBridge


@pytest.fixture(autouse=True)
def _cheap_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2id at full cost is 0.5 s per vault; the sync tests make many vaults."""
    use_cheap_kdf(monkeypatch)


def pg_url() -> str | None:
    url = os.environ.get("OUTREACH_TEST_PG_URL")
    if not url:
        if os.environ.get("OUTREACH_ALLOW_NO_PG") == "1":
            pytest.skip("OUTREACH_TEST_PG_URL unset and OUTREACH_ALLOW_NO_PG=1")
        pytest.fail("OUTREACH_TEST_PG_URL is not set: run `eval \"$(scripts/services.sh)\"` first "
                    "(or set OUTREACH_ALLOW_NO_PG=1 to skip the PostgreSQL tests)")
    return url


@pytest.fixture
def pg_schema() -> Iterator[tuple[str, str]]:
    url = pg_url()
    assert url
    schema = "t_" + secrets.token_hex(6)
    yield url, schema
    with psycopg.connect(url, autocommit=True) as con:
        con.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def make_store(kind: str, tmp_path: Path, request: pytest.FixtureRequest, *, migrate: bool = True) -> SqlStore:
    """A store of ``kind`` ("sqlite" or "postgres") over the test's database; several calls share it."""
    if kind == "sqlite":
        st: SqlStore = SqliteStore(tmp_path / "center.db")
    else:
        url, schema = request.getfixturevalue("pg_schema")
        st = PgStore(url, schema=schema)
    if migrate:
        st.init_schema()
    return st


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlStore]:
    st = make_store(request.param, tmp_path, request)
    yield st
    st.close()


#: Valid 统一社会信用代码 (GB 32100; division 460100 Haikou, and 440300 Shenzhen for another employer).
EMPLOYER = "91460100MA5T00000H"
OTHER_EMPLOYER = "91440300MA5F000007"


class Clock:
    def __init__(self) -> None:
        self.offset = dt.timedelta()

    def __call__(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC) + self.offset

    def advance(self, **kw: float) -> None:
        self.offset += dt.timedelta(**kw)


class Center:
    """A center over ``store`` reached in-process; ``clock`` moves time."""

    def __init__(self, store: SqlStore) -> None:
        self.store = store
        self.clock = Clock()
        self.app = create_app(store, self.clock)
        self.bridge = AsgiBridge(self.app)
        self.transport: httpx.BaseTransport = self.bridge.transport()
        self.url = "http://center"

    def enrol(self, vault: Vault, role: str = "worker", area: str | None = None,
              employer: str | None = None) -> None:
        if role == "employer_host" and employer is None:
            employer = EMPLOYER  # a host is always bound to one employer
        code = self.store.create_enrol_code(vault.worker_id, role, area, dt.timedelta(hours=1), employer=employer)
        enrol(vault, self.url, code, transport=self.transport)


@pytest.fixture
def center(store: SqlStore) -> Iterator[Center]:
    c = Center(store)
    yield c
    c.bridge.close()


@pytest.fixture
def make_vault(tmp_path: Path) -> Iterator[Callable[..., Vault]]:
    made: list[Vault] = []

    def make(worker: str = "w1", name: str | None = None) -> Vault:
        v = Vault.create(tmp_path / f"{name or worker}-{len(made)}.db", PASSPHRASE, worker_id=worker)
        made.append(v)
        return v

    yield make
    for v in made:
        v.close()


class People:
    """Synthetic people and the operations a laptop makes for them (outreach.services.seed)."""

    def __init__(self, seed: int = 1) -> None:
        self.gen = _Gen(seed, date(2026, 11, 1))

    def person(self) -> Any:
        return self.gen.person()

    def adult(self) -> Any:
        """A person of 18 or more (a minor's application needs a guardian recorded)."""
        while True:
            p = self.gen.person()
            if p.birth_date <= date(2007, 1, 1):
                return p

    def register(self, vault: Vault, person: Any) -> Any:
        return vault.append("person.register", person.person_id, {"person": person.model_dump(mode="json")})

    def apply(self, vault: Vault, person: Any) -> Any:
        kind, payload = self.card_ops(person, CardStatus.APPLIED)[0]
        return vault.append(kind, person.person_id, payload)

    def card_ops(self, person: Any, status: CardStatus) -> list[tuple[str, dict[str, Any]]]:
        ops = self.gen.card_ops(person, status)
        for _, payload in ops:
            form = payload["event"].get("form")
            if form is not None:
                form["photo_ref"] = "photo-ref-1"
        return ops


@pytest.fixture
def people() -> People:
    return People()
