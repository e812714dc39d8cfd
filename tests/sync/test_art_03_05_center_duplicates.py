"""Art. 3 and 5, issue 10: ``outreach center duplicates`` lists the people the center still holds twice (a
laptop registered them before the roster listing them was loaded; two records of a database older than
migration 0007), each record masked with its source, area and card status; a clean center lists none."""

from __future__ import annotations

import csv
import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from outreach.cli.main import main
from sync.center import oplogic, roster
from sync.center.pg_store import PgStore
from sync.client.client import sync_once
from tests.sync.conftest import Center


def _db(center: Center, tmp_path: Path, request: pytest.FixtureRequest) -> list[str]:
    """The command-line options reaching the test's center store."""
    if isinstance(center.store, PgStore):
        url, schema = request.getfixturevalue("pg_schema")
        return ["--db", url, "--pg-schema", schema]
    return ["--db", str(tmp_path / "center.db")]


def _load(db: list[str], tmp_path: Path, people: list[Any]) -> None:
    """``center load-people`` of a roster listing ``people`` (ids derived from their documents)."""
    path = tmp_path / f"roster-{uuid.uuid4().hex[:6]}.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=roster.COLUMNS)
        w.writeheader()
        for p in people:
            w.writerow({**roster.to_row(p.model_dump(mode="json")), "person_id": ""})
    assert main(["center", "load-people", *db, str(path)]) == 0


def _duplicates(db: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[str, dict[str, Any]]:
    """(the words, the JSON) of ``center duplicates``; both exit 0."""
    capsys.readouterr()
    assert main(["center", "duplicates", *db]) == 0
    text = capsys.readouterr().out
    assert main(["center", "duplicates", *db, "--json"]) == 0
    return text, json.loads(capsys.readouterr().out)


def _unmasked(person: Any) -> list[str]:
    return [v for v in (person.document.number, person.ss_number, person.mobile, person.name) if v and len(v) > 1]


def test_art_05_a_person_registered_on_a_laptop_before_the_load_is_listed_masked(
        center, make_vault, people, tmp_path, request, capsys):
    db = _db(center, tmp_path, request)
    a = make_vault("alice")
    center.enrol(a)
    p = people.adult()
    people.register(a, p)
    people.apply(a, p)
    assert sync_once(a, center.url, transport=center.transport).errors == []
    other = people.adult()
    _load(db, tmp_path, [p, other])  # the roster lists p too: a load is not refused, so p is held twice

    text, listing = _duplicates(db, capsys)
    [group] = listing["groups"]
    assert group["key_holder"] == p.person_id  # the laptop's record came first and keeps the number
    by_source = {r["source"]: r for r in group["records"]}
    assert set(by_source) == {"registered", "loaded"}
    registered, loaded = by_source["registered"], by_source["loaded"]
    assert registered["person_id"] == p.person_id
    assert (registered["worker_id"], registered["device_id"]) == ("alice", a.device_id)
    assert registered["card_status"] == "applied"
    assert registered["area_code"] == p.area_code
    assert loaded["person_id"] not in (p.person_id, other.person_id)
    assert (loaded["worker_id"], loaded["card_status"]) == (None, None)
    assert loaded["area_code"] == p.area_code
    for r in group["records"]:
        assert r["doc_number"].startswith(p.document.number[:4])
        assert r["doc_number"].endswith(p.document.number[-4:])
        assert "*" in r["doc_number"]
    assert p.person_id in text
    assert loaded["person_id"] in text
    assert "registered by alice" in text
    assert "loaded" in text
    assert other.document.number[-4:] not in json.dumps(listing)  # the other loaded person is no duplicate
    for secret in _unmasked(p):
        assert secret not in text
        assert secret not in json.dumps(listing, ensure_ascii=False)


def test_art_05_a_clean_center_lists_none(center, make_vault, people, tmp_path, request, capsys):
    db = _db(center, tmp_path, request)
    a = make_vault("alice")
    center.enrol(a)
    p = people.adult()
    people.register(a, p)
    assert sync_once(a, center.url, transport=center.transport).errors == []
    _load(db, tmp_path, [people.adult(), people.adult()])
    text, listing = _duplicates(db, capsys)
    assert listing == {"groups": []}
    assert "none" in text
    assert "没有重复" in text


def test_art_05_three_records_of_a_database_older_than_0007_are_one_group(
        center, make_vault, people, tmp_path, request, capsys, monkeypatch):
    db = _db(center, tmp_path, request)
    p = people.adult()
    a, b = make_vault("alice"), make_vault("bob")
    center.enrol(a)
    center.enrol(b)
    with monkeypatch.context() as m:  # the code before 0007: no keys, so the same person got in twice
        m.setattr(oplogic.person_keys, "held_elsewhere", lambda *args: None)
        m.setattr(oplogic.person_keys, "record", lambda *args: None)
        people.register(a, p)
        twin = p.model_copy(update={"person_id": str(uuid.uuid4()),
                                    "document": p.document.model_copy(update={"number": p.document.number.lower()})})
        people.register(b, twin)
        for v in (a, b):
            assert sync_once(v, center.url, transport=center.transport).rejected == 0
    _load(db, tmp_path, [p])  # and the roster: a third record, taking the key nobody held

    text, listing = _duplicates(db, capsys)
    [group] = listing["groups"]
    records = group["records"]
    assert len(records) == 3
    assert {r["person_id"] for r in records} >= {p.person_id, twin.person_id}
    assert sorted((r["source"], r["worker_id"]) for r in records) == [
        ("loaded", None), ("registered", "alice"), ("registered", "bob")]
    loaded = next(r["person_id"] for r in records if r["source"] == "loaded")
    assert group["key_holder"] == loaded
    assert text.count("registered by") == 2
    for secret in _unmasked(p):
        assert secret not in text
