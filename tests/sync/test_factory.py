"""The store factory: which database an address names, and the addresses refused in words."""

from __future__ import annotations

from pathlib import Path

import pytest

from outreach.cli.main import main
from sync.center.factory import open_store, parse_address
from sync.center.migrations import MIGRATIONS
from sync.errors import BadDatabaseAddress


@pytest.mark.parametrize(("address", "path"), [
    ("sqlite:///srv/center/center.db", "/srv/center/center.db"),
    ("sqlite:////srv/center/center.db", "/srv/center/center.db"),
    ("sqlite://localhost/srv/center.db", "/srv/center.db"),
    ("sqlite:data/center.db", "data/center.db"),
    ("SQLite:center.db", "center.db"),
    ("/srv/center.db", "/srv/center.db"),
    ("center.db", "center.db"),
    ("./odd:name.db", "odd:name.db"),
])
def test_sqlite_addresses_name_the_file_they_say(address, path):
    where = parse_address(address)
    assert (where.kind, where.path) == ("sqlite", Path(path))


def test_a_plain_path_with_a_tilde_is_under_the_home_folder():
    assert parse_address("~/center.db").path == Path.home() / "center.db"


@pytest.mark.parametrize("address", ["postgresql://outreach@db.example/center", "postgres://u:p@127.0.0.1:5432/c",
                                     "postgresql:///center?host=/run/postgresql"])
def test_postgresql_urls_are_passed_to_libpq_as_they_are(address):
    where = parse_address(address)
    assert (where.kind, where.url) == ("postgresql", address)


@pytest.mark.parametrize(("address", "detail"), [
    ("mysql://root:hunter2@db.example/center", "mysql"),
    ("http://center.example/db", "http"),
    ("sqlite://db.example/center.db", "sqlite"),
    ("sqlite:", "sqlite"),
    ("sqlite:///", "sqlite"),
    ("postgresql:center", "postgresql"),
    ("", "empty"),
    ("   ", "empty"),
])
def test_other_addresses_are_refused_without_repeating_them(address, detail):
    with pytest.raises(BadDatabaseAddress) as refused:
        parse_address(address)
    assert refused.value.detail == detail
    assert "postgresql://" in refused.value.message_zh
    assert "sqlite:///absolute/path" in refused.value.message_en


def test_a_folder_is_refused(tmp_path):
    with pytest.raises(BadDatabaseAddress) as refused:
        parse_address(str(tmp_path))
    assert "文件夹" in refused.value.message_zh
    assert "folder" in refused.value.message_en


def test_the_cli_opens_a_sqlite_url_at_its_absolute_path_and_makes_no_folder_named_sqlite(
        tmp_path, monkeypatch, capsys):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    db = tmp_path / "srv" / "center.db"
    assert main(["center", "status", "--db", f"sqlite://{db}"]) == 0
    assert db.is_file()
    assert list(work.iterdir()) == []
    assert main(["center", "status", "--db", "sqlite:rel/center.db"]) == 0
    assert (work / "rel" / "center.db").is_file()
    assert "devices" in capsys.readouterr().out


def test_the_cli_refuses_an_unknown_address_in_words_and_keeps_its_password(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["center", "status", "--db", "mysql://root:hunter2@db.example/center"]) == 1
    err = capsys.readouterr().err
    assert "无法识别的数据库地址" in err
    assert "unrecognised database address" in err
    assert "hunter2" not in err
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []  # nothing created


@pytest.mark.postgres
def test_a_postgres_url_opens_the_postgresql_store_migrated(pg_schema):
    url, schema = pg_schema
    store = open_store(url.replace("postgresql://", "postgres://", 1), schema=schema)
    try:
        assert store.applied_migrations() == [m.name for m in MIGRATIONS]
    finally:
        store.close()
