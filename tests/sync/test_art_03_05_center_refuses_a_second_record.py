"""Art. 3 (one person, one card) and Art. 5 (the social security number is unique nationwide) at the center: a
second person with a number the center holds is refused ``duplicate_person`` naming the registered person,
whichever laptop sends it, however the number is spelled, also after a load, a data change or a reissue, also
when two pushes of the same new number race on PostgreSQL; migration 0007 fills the keys of an older
database's people."""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

import psycopg
import pytest

from outreach.domain import DocType, IdentityDocument
from sync.center import loader, oplogic, person_keys
from sync.center.pg_store import PgStore
from sync.client.client import sync_once
from tests.sync.conftest import Center, make_store

KINDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def twin(person: Any, **document: Any) -> Any:
    """The same person as another laptop registers them: its own random id, the number spelled its way."""
    return person.model_copy(update={"person_id": str(uuid.uuid4()),
                                     "document": person.document.model_copy(update=document)})


def outcome(vault: Any, op_id: str) -> dict[str, Any]:
    return next(o for o in vault.op_outcomes() if o["op_id"] == op_id)


def people_with_key(store: Any, person: Any) -> list[str]:
    keys = sorted(person_keys.keys_of(person.model_dump(mode="json")))
    marks = ", ".join("?" * len(keys))
    return sorted({str(r[0]) for r in store.transaction(lambda tx: tx.rows(
        f"SELECT subject FROM person_keys WHERE key IN ({marks})", tuple(keys)))})


def test_art_03_05_a_second_laptop_registering_a_held_number_is_refused_and_meets_the_registered_person(
        center, make_vault, people):
    a, b = make_vault("alice"), make_vault("bob")
    center.enrol(a)
    center.enrol(b)
    p = people.adult()
    people.register(a, p)
    people.apply(a, p)
    assert sync_once(a, center.url, transport=center.transport).errors == []
    again = twin(p, doc_type=DocType.HOUSEHOLD_REGISTER, number=" " + p.document.number.lower())
    reg = people.register(b, again)
    summary = sync_once(b, center.url, transport=center.transport)
    assert summary.rejected == 1
    assert summary.applied == 0
    answer = outcome(b, reg.op_id)
    assert answer["code"] == "duplicate_person"
    assert answer["center_state"] == {"existing_person_id": p.person_id}
    assert "已登记" in answer["message_zh"]
    assert "already registered" in answer["message_en"]
    assert people_with_key(center.store, p) == [p.person_id]  # one record at the center
    # the registered person and their application reach bob's laptop, so he can merge his record with them
    held = b.get_person(p.person_id)
    assert held is not None
    assert held.name == p.name
    cards = b.person_cards(p.person_id)
    assert cards is not None
    assert len(cards.cards) == 1


def test_art_05_a_registration_outside_the_workers_area_is_refused_without_revealing_the_person(
        center, make_vault, people):
    a, b = make_vault("alice"), make_vault("bob")
    center.enrol(a)
    p = people.adult()
    people.register(a, p)
    assert sync_once(a, center.url, transport=center.transport).errors == []
    center.enrol(b, area="469099")  # bob works elsewhere; his copy of the person is filed in his area
    reg = people.register(b, twin(p).model_copy(update={"area_code": "469099"}))
    sync_once(b, center.url, transport=center.transport)
    assert outcome(b, reg.op_id)["code"] == "duplicate_person"
    assert b.get_person(p.person_id) is None  # not on his plan: a supervisor assigns the person if need be


@pytest.mark.parametrize("kind", KINDS)
def test_art_05_a_loaded_person_is_not_registered_again_by_a_laptop(kind, tmp_path, request, make_vault, people):
    store = make_store(kind, tmp_path, request)
    center = Center(store)
    try:
        p = people.adult()
        store.load_people([p.model_dump(mode="json")], center.clock())
        v = make_vault("alice")
        center.enrol(v)
        reg = people.register(v, twin(p))
        sync_once(v, center.url, transport=center.transport)
        assert outcome(v, reg.op_id)["center_state"] == {"existing_person_id": p.person_id}
        # loading the person again (unchanged, or with a new address) keeps one key holder
        store.load_people([p.model_copy(update={"address": "海口市美兰区"}).model_dump(mode="json")], center.clock())
        assert people_with_key(store, p) == [p.person_id]
    finally:
        center.bridge.close()
        store.close()


def test_art_23_a_data_change_or_reissue_to_a_number_another_person_holds_is_refused(center, make_vault, people):
    v = make_vault("alice")
    center.enrol(v)
    p, q = people.adult(), people.adult()
    for person in (p, q):
        people.register(v, person)
    people.apply(v, q)
    assert sync_once(v, center.url, transport=center.transport).errors == []
    # person.update giving q the number of p
    taken = q.model_copy(update={"document": p.document, "ss_number": p.ss_number})
    upd = v.append("person.update", q.person_id, {"person": taken.model_dump(mode="json")})
    # a reissue of q's card for a changed social security number that is p's
    cards = v.person_cards(q.person_id)
    assert cards is not None
    event = {"kind": "card.reissue", "card_id": str(uuid.uuid4()), "changed": ["ss_number"],
             "evidence": "change_certificate", "new_ss_number": p.document.number, "note": ""}
    reissue = v.append("card.reissue", q.person_id, {"event": event, "cards": cards.model_dump(mode="json")})
    sync_once(v, center.url, transport=center.transport)
    for op in (upd, reissue):
        answer = outcome(v, op.op_id)
        assert (answer["status"], answer["code"]) == ("rejected", "duplicate_person")
        assert answer["center_state"] == {"existing_person_id": p.person_id}
    assert people_with_key(center.store, p) == [p.person_id]
    # q's own keys are untouched: a plain change of q's own number is accepted and moves q's key
    moved = q.model_copy(update={"document": IdentityDocument(doc_type=DocType.PASSPORT, number="E99887766"),
                                 "ss_number": None, "nationality": "USA"})
    ok = v.append("person.update", q.person_id, {"person": moved.model_dump(mode="json")})
    sync_once(v, center.url, transport=center.transport)
    assert outcome(v, ok.op_id)["status"] == "applied"
    assert people_with_key(center.store, q) == []
    assert people_with_key(center.store, moved) == [q.person_id]


@pytest.mark.postgres
def test_art_03_05_two_concurrent_pushes_of_one_new_number_give_one_person_on_postgresql(
        tmp_path, request, make_vault, people):
    url, schema = request.getfixturevalue("pg_schema")
    app = "race-" + schema  # this test's connections, told apart from other tests' on the same server
    store = PgStore(f"{url}{'&' if '?' in url else '?'}application_name={app}", schema=schema)
    store.init_schema()
    center = Center(store)
    threads: list[threading.Thread] = []
    try:
        a, b = make_vault("alice"), make_vault("bob")
        center.enrol(a)
        center.enrol(b)
        p = people.adult()
        reg_a = people.register(a, p)
        reg_b = people.register(b, twin(p))
        done: list[Any] = []
        with psycopg.connect(store.url, autocommit=True) as hold:
            log = hold.execute("SELECT hashtextextended('log', 0)").fetchone()[0]  # type: ignore[index]
            hold.execute("SELECT pg_advisory_lock(%s)", (log,))  # both pushes decide, then wait to sequence
            threads += [threading.Thread(target=lambda v=v: done.append(sync_once(v, center.url,
                                                                                    transport=center.transport)))
                        for v in (a, b)]
            for t in threads:
                t.start()
            waiting = 0
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and waiting < 2:  # one waits for the log, one for the key
                waiting = hold.execute(
                    "SELECT COUNT(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = "
                    "'advisory' AND NOT l.granted AND a.application_name = %s", (app,)).fetchone()[0]  # type: ignore[index]
                time.sleep(0.05)
            assert waiting == 2
            hold.execute("SELECT pg_advisory_unlock(%s)", (log,))
        for t in threads:
            t.join(timeout=60)
        assert len(done) == 2
        answers = sorted([outcome(a, reg_a.op_id), outcome(b, reg_b.op_id)], key=lambda o: o["status"])
        assert [o["status"] for o in answers] == ["applied", "rejected"]
        assert answers[1]["code"] == "duplicate_person"
        first = p.person_id if answers[0]["op_id"] == reg_a.op_id else reg_b.subject
        assert answers[1]["center_state"] == {"existing_person_id": first}
        assert people_with_key(store, p) == [first]
        persons = store.transaction(lambda tx: tx.rows("SELECT COUNT(*) FROM subjects WHERE person IS NOT NULL"))
        assert persons[0][0] == 1
    finally:
        for t in threads:
            t.join(timeout=60)
        center.bridge.close()
        store.close()


@pytest.mark.parametrize("kind", KINDS)
def test_art_05_migration_0007_fills_the_keys_of_an_older_databases_people(
        kind, tmp_path, request, make_vault, people, monkeypatch):
    old = make_store(kind, tmp_path, request, migrate=False)
    old.migrate()
    center = Center(old)
    p, loaded = people.adult(), people.adult()
    twin_p = twin(p)
    a, b = make_vault("alice"), make_vault("bob")
    with monkeypatch.context() as m:  # the code before 0007: no keys, so the same person got in twice
        m.setattr(oplogic.person_keys, "held_elsewhere", lambda *args: None)
        m.setattr(oplogic.person_keys, "record", lambda *args: None)
        m.setattr(loader.person_keys, "record_loaded", lambda *args: None)
        center.enrol(a)
        center.enrol(b)
        people.register(a, p)
        people.register(b, twin_p)
        for v in (a, b):
            assert sync_once(v, center.url, transport=center.transport).rejected == 0
        old.load_people([loaded.model_dump(mode="json")], center.clock())
    # ... and had no keys table: the database as the code before 0007 left it (later migrations kept)
    old.transaction(lambda tx: [tx.execute("DROP TABLE person_keys"),
                                tx.execute("DELETE FROM schema_migrations WHERE name = '0007_person_keys'")])
    center.bridge.close()
    old.close()
    store = make_store(kind, tmp_path, request, migrate=False)
    center = Center(store)
    try:
        assert store.init_schema() == ["0007_person_keys"]  # the upgrade, with its backfill
        keeper = min(p.person_id, twin_p.person_id)
        assert people_with_key(store, p) == [keeper]  # of two records already in, the smaller id keeps the key
        assert people_with_key(store, loaded) == [loaded.person_id]
        c = make_vault("carol")
        center.enrol(c)
        regs = [people.register(c, twin(p)), people.register(c, twin(loaded))]
        sync_once(c, center.url, transport=center.transport)
        assert [outcome(c, r.op_id)["center_state"] for r in regs] == [
            {"existing_person_id": keeper}, {"existing_person_id": loaded.person_id}]
    finally:
        center.bridge.close()
        store.close()
