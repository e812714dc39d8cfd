"""Projections in step with the log, queries, sync-facing methods, attachments, migrations, durability."""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from outreach.domain.models import PersonCards
from storage import AttachmentNotFoundError, BadInputError, SchemaError, Vault, projections, schema
from tests.support.people import card_dump, person_payload
from tests.support.storage import register
from tests.support.vaults import PASSPHRASE


def _card_op(vault: Vault, pid: str, cards: list[dict[str, Any]], kind: str = "card.apply") -> Any:
    payload = {"event": {"kind": kind}, "cards": {"person_id": pid, "cards": cards, "version": 0}, "fee": None}
    return vault.append(kind, pid, payload)


@pytest.fixture
def people(vault: Vault) -> dict[str, dict[str, Any]]:
    out = {
        "wang": register(vault, name="王小明", number="460106195001010018", mobile="13812345678"),
        "wang2": register(vault, name="王丽", number="46010619600202002X", mobile=None),
        "fu": register(vault, name="符阿妹", number="469027193003030045", mobile="18976543210"),
        "chen": register(vault, name="陈国强", number="469005198804040071", mobile="15900001234"),
    }
    _card_op(vault, out["fu"]["person_id"], [card_dump(out["fu"]["person_id"], "ready", "H12345678")])
    return out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("王", {"wang", "wang2"}),
        ("王小", {"wang"}),
        ("wxm", {"wang"}),
        ("WL", {"wang2"}),
        ("w", {"wang", "wang2"}),
        ("460106195001010018", {"wang"}),
        ("46010619600202002x", {"wang2"}),
        ("002X", {"wang2"}),
        ("0045", {"fu"}),
        ("0071", {"chen"}),
        ("13812345678", {"wang"}),
        ("1234", {"chen"}),  # mobile tail 15900001234
        ("H12345678", {"fu"}),
        ("h1234", {"fu"}),
        ("陈 国", {"chen"}),
        ("赵", set()),
        ("", set()),
    ],
)
def test_find_people(vault: Vault, people: dict[str, Any], text: str, expected: set[str]) -> None:
    ids = {p.person_id for p in vault.find_people(text)}
    assert ids == {people[k]["person_id"] for k in expected}


def test_find_people_limit_and_index_use(vault: Vault, people: dict[str, Any]) -> None:
    assert len(vault.find_people("王", limit=1)) == 1
    conn = vault._db()
    for sql, args in [
        ("SELECT person_id FROM people WHERE name >= ? AND name < ?", ("王", "王\U0010ffff")),
        ("SELECT person_id FROM people WHERE initials >= ? AND initials < ?", ("w", "w\U0010ffff")),
        ("SELECT person_id FROM people WHERE id_number = ?", ("x",)),
        ("SELECT person_id FROM people WHERE id_rev >= ? AND id_rev < ?", ("1", "1\U0010ffff")),
        ("SELECT person_id FROM cards WHERE card_number = ?", ("x",)),
    ]:
        plan = " ".join(str(r[-1]) for r in conn.execute("EXPLAIN QUERY PLAN " + sql, args).fetchall())
        assert "USING" in plan, plan
        assert "INDEX" in plan, plan


def test_cards_projection_and_person_cards(vault: Vault, people: dict[str, Any]) -> None:
    pid = people["fu"]["person_id"]
    state = vault.person_cards(pid)
    assert isinstance(state, PersonCards)
    assert [c.status for c in state.cards] == ["ready"]
    assert state.version == 2
    assert vault.card_sources(pid)[0]["source"] == "provisional"
    assert vault.person_cards("nobody") is None


def test_visits_projection(vault: Vault, people: dict[str, Any]) -> None:
    pid = people["chen"]["person_id"]
    visit = {"visit_id": "v1", "person_id": pid, "worker_id": "worker-1", "day": "2026-11-20", "outcome": "done",
             "present": ["本人"], "notes": "", "op_ids": [], "planned": False}
    vault.append("visit.log", pid, {"visit": visit})
    assert [v.visit_id for v in vault.visits(day=date(2026, 11, 20))] == ["v1"]
    assert vault.visits(day="2026-11-21") == []
    assert len(vault.visits()) == 1


def test_push_results_and_outcomes(vault: Vault, people: dict[str, Any]) -> None:
    pending = vault.pending_operations()
    assert [o.seq for o in pending] == [1, 2, 3, 4, 5]
    assert vault.pending_count() == 5
    assert [o.seq for o in vault.pending_operations(limit=2)] == [1, 2]
    with pytest.raises(BadInputError):
        vault.record_push_results([{"op_id": pending[0].op_id, "status": "applied"}, {"op_id": "x", "status": "??"}])
    assert vault.pending_count() == 5  # nothing recorded
    vault.record_push_results([
        {"op_id": pending[0].op_id, "status": "applied"},
        {"op_id": pending[1].op_id, "status": "duplicate"},
        {"op_id": pending[2].op_id, "status": "rejected", "code": "one_card", "message_zh": "已有卡",
         "message_en": "has a card"},
        {"op_id": pending[3].op_id, "status": "applied_with_conflict", "center_state": {"status": "active"}},
    ])
    assert [o.op_id for o in vault.pending_operations()] == [pending[4].op_id]
    open_ = {o["op_id"]: o for o in vault.op_outcomes(open_only=True)}
    assert set(open_) == {pending[2].op_id, pending[3].op_id}
    assert open_[pending[2].op_id]["message_zh"] == "已有卡"
    assert open_[pending[3].op_id]["center_state"] == {"status": "active"}
    assert len(vault.op_outcomes()) == 4
    vault.append("conflict.resolve", pending[2].subject, {"op_id": pending[2].op_id, "choice": "theirs", "note": ""})
    assert [o["op_id"] for o in vault.op_outcomes(open_only=True)] == [pending[3].op_id]


def test_apply_pulled_one_transaction(vault: Vault, people: dict[str, Any]) -> None:
    pid = people["wang"]["person_id"]
    center_card = card_dump(pid, "active", "H00000001")
    changes = [
        {"type": "person", "id": pid, "version": 7, "data": {**people["wang"], "mobile": "13700000000"}},
        {"type": "cards", "id": pid, "version": 7, "data": {"person_id": pid, "cards": [center_card], "version": 7}},
        {"type": "visit_plan", "id": "plan-1", "version": 0,
         "data": {"visit_id": "plan-1", "person_id": pid, "worker_id": "worker-1", "day": "2026-12-01",
                  "outcome": "come_back", "present": [], "notes": "", "op_ids": [], "planned": True}},
    ]
    bad = [*changes[:2], {"type": "spaceship", "id": "x", "version": 1, "data": {}}]
    with pytest.raises(BadInputError):
        vault.apply_pulled(bad, "cp-bad")
    assert vault.get_meta("pull_checkpoint") is None
    assert vault.get_person(pid).mobile == "13812345678"
    assert vault.person_cards(pid).cards == []
    vault.apply_pulled(changes, "cp-1")
    assert vault.get_meta("pull_checkpoint") == "cp-1"
    assert vault.get_person(pid).mobile == "13700000000"
    assert vault.person_cards(pid).cards[0].card_number == "H00000001"
    source = vault.card_sources(pid)[0]
    assert source["source"] == "center"
    assert source["synced_at"]
    assert vault.subject_version(pid) == 7
    assert vault.visits(day="2026-12-01")[0].planned
    vault.apply_pulled([{**changes[0], "version": 3}], "cp-2")  # versions never go back
    assert vault.subject_version(pid) == 7
    assert vault.get_meta("pull_checkpoint") == "cp-2"
    assert vault.find_people("H00000001")[0].person_id == pid


def test_meta_and_attachments(vault: Vault, vault_path: Path) -> None:
    vault.set_meta("last_sync", "2026-11-27T10:00:00+00:00")
    photo = b"\xff\xd8\xff\xe0" + b"JPEGDATA" * 1000
    ref = vault.put_attachment(photo, "image/jpeg")
    vault.close()
    with Vault.open(vault_path, PASSPHRASE) as v:
        assert v.get_meta("last_sync") == "2026-11-27T10:00:00+00:00"
        assert v.get_meta("nope") is None
        assert v.get_attachment(ref) == photo
        with pytest.raises(AttachmentNotFoundError):
            v.get_attachment("missing")
    assert not any(p.suffix in (".jpg", ".jpeg") for p in vault_path.parent.iterdir())


def test_durability_and_privacy_settings(vault: Vault) -> None:
    conn = vault._db()
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA temp_store").fetchone()[0] == 2  # MEMORY
    assert conn.execute("PRAGMA cipher_version").fetchone()[0]


def test_migrations_recorded_named_and_transactional(vault: Vault, vault_path: Path, monkeypatch) -> None:
    names = [name for name, _ in schema.MIGRATIONS]
    assert names[:2] == ["0001_core", "0002_cards_due"]
    assert vault.migrations() == names
    rows = vault._db().execute("SELECT name, applied_at FROM schema_migrations").fetchall()
    assert rows[0][0] == "0001_core"
    assert rows[0][1]
    vault.close()

    def broken(conn: Any) -> None:
        conn.execute("CREATE TABLE half_done (x)")
        raise RuntimeError("boom")

    def good(conn: Any) -> None:
        conn.execute("ALTER TABLE people ADD COLUMN nickname TEXT")

    known = list(schema.MIGRATIONS)
    monkeypatch.setattr(schema, "MIGRATIONS", [*known, ("9001_broken", broken)])
    with pytest.raises(SchemaError):
        Vault.open(vault_path, PASSPHRASE)
    monkeypatch.setattr(schema, "MIGRATIONS", [*known, ("9001_nickname", good)])
    with Vault.open(vault_path, PASSPHRASE) as v:
        assert v.migrations() == [*names, "9001_nickname"]
        tables = {r[0] for r in v._db().execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert "half_done" not in tables
    monkeypatch.setattr(schema, "MIGRATIONS", known)
    with pytest.raises(SchemaError) as info:  # written by a newer version
        Vault.open(vault_path, PASSPHRASE)
    assert "newer version" in str(info.value)


def test_bulk_append_chains_each_op(vault: Vault) -> None:
    items = []
    for i in range(50):
        p = person_payload(name=f"吴{i}", number=f"4601071970010{i:04d}3")
        items.append(("person.register", p["person_id"], {"person": p}))
    ops = vault.append_many(items)
    assert [o.seq for o in ops] == list(range(1, 51))
    assert all(b.prev_hash == a.hash for a, b in zip(ops, ops[1:], strict=False))
    assert vault.verify_log().ok
    assert vault.verify_log().checked == 50


# ---------------------------------------------------------------- deadlines across the vault
_TODAY = date(2026, 11, 27)


def _card(pid: str, status: str, **fields: Any) -> dict[str, Any]:
    card = card_dump(pid, status, card_id=str(uuid.uuid4()))
    card.update(fields)
    return card


@pytest.fixture
def due_cards(vault: Vault) -> dict[str, str]:
    """One person per case; returns case -> card id."""
    cases = {
        "ready_new": _card("", "ready", issued_on="2026-11-20", expires_on="2036-11-20"),
        "ready_near_recall": _card("", "ready", issued_on="2026-06-10", expires_on="2036-06-10"),
        "ready_long_gone": _card("", "ready", issued_on="2025-01-01", expires_on="2035-01-01"),
        "lift_soon": _card("", "temp_lost", issued_on="2020-01-01", expires_on="2030-01-01",
                           collected_on="2020-01-05", temp_loss_period="15d", temp_loss_since="2026-11-20"),
        "long_loss": _card("", "temp_lost", issued_on="2020-01-01", expires_on="2030-01-01",
                           collected_on="2020-01-05", temp_loss_period="long", temp_loss_since="2026-11-20"),
        "expiring": _card("", "active", issued_on="2016-12-10", expires_on="2026-12-10", collected_on="2017-01-01"),
        "active_far": _card("", "active", issued_on="2024-06-01", expires_on="2034-06-01", collected_on="2024-06-20"),
        "replaced_old": _card("", "replaced", issued_on="2016-12-10", expires_on="2026-12-10"),
        "applied": _card("", "applied", accepted_on="2026-11-20", reason="replace"),
    }
    out: dict[str, str] = {}
    for i, (case, card) in enumerate(cases.items()):
        person = register(vault, name=f"郑{i}", number=f"4601061950010{i:04d}1", mobile=None)
        pid = person["person_id"]
        card["person_id"] = pid
        _card_op(vault, pid, [card])
        out[case] = card["card_id"]
    return out


def test_cards_needing_attention_selects_candidates_only(vault: Vault, due_cards: dict[str, str]) -> None:
    found = {c.card_id for c in vault.cards_needing_attention(_TODAY, horizon_days=30, overdue_days=90)}
    wanted = {"ready_new", "ready_near_recall", "lift_soon", "expiring", "applied"}
    assert found == {due_cards[k] for k in wanted}
    # a shorter horizon drops the expiry in 13 days and the 15-day lift on 12-05, keeps every ready card
    short = {c.card_id for c in vault.cards_needing_attention(_TODAY, horizon_days=5, overdue_days=90)}
    assert short == {due_cards[k] for k in ("ready_new", "ready_near_recall", "applied")}


def test_cards_needing_attention_uses_the_indexes(vault: Vault, due_cards: dict[str, str]) -> None:
    conn = vault._db()
    for sql, args in [
        ("SELECT card_id, data FROM cards WHERE status = ? AND counted_from >= ? AND counted_from <= ?",
         ("ready", "2026-01-01", "9999-12-31")),
        ("SELECT card_id, data FROM cards WHERE expires_on >= ? AND expires_on <= ?", ("2026-01-01", "2026-12-31")),
    ]:
        plan = " ".join(str(r[-1]) for r in conn.execute("EXPLAIN QUERY PLAN " + sql, args).fetchall())
        assert "SEARCH cards USING INDEX cards_" in plan, plan


def test_cards_due_migration_reads_cards_written_before_it(vault_path: Path, monkeypatch) -> None:
    fresh = vault_path
    monkeypatch.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:1])
    monkeypatch.setattr(projections, "record_base", lambda *a: None)  # came with 0003, after this vault
    old = Vault.create(fresh, PASSPHRASE, worker_id="w-old")
    person = register(old, name="钱一", number="460106195001010018", mobile=None)
    _card_op(old, person["person_id"], [_card(person["person_id"], "ready", issued_on="2026-11-01")])
    assert old.migrations() == ["0001_core"]
    old.close()
    monkeypatch.undo()
    with Vault.open(fresh, PASSPHRASE) as upgraded:
        assert "0002_cards_due" in upgraded.migrations()
        assert [c.person_id for c in upgraded.cards_needing_attention(_TODAY)] == [person["person_id"]]


def test_cards_needing_attention_limit_keeps_the_earliest_per_range(vault: Vault, due_cards: dict[str, str]) -> None:
    one = {c.card_id for c in vault.cards_needing_attention(_TODAY, horizon_days=30, overdue_days=90, limit=1)}
    # ready: only the one issued first (recall on 2026-12-07); applied cards are never cut
    assert one == {due_cards[k] for k in ("ready_near_recall", "lift_soon", "expiring", "applied")}


def test_conflict_sides_migration_keeps_earlier_outcomes(vault_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:2])
    monkeypatch.setattr(projections, "record_base", lambda *a: None)  # came with 0003, after this vault
    monkeypatch.setattr(projections, "record_push_result", _old_record_push_result)
    old = Vault.create(vault_path, PASSPHRASE, worker_id="w-old")
    person = register(old, name="钱二", number="460106195001010026", mobile=None)
    op = _card_op(old, person["person_id"], [_card(person["person_id"], "active")])
    old.record_push_results([{"op_id": op.op_id, "status": "rejected", "code": "x"}])
    old.close()
    monkeypatch.undo()
    with Vault.open(vault_path, PASSPHRASE) as upgraded:
        assert "0003_conflict_sides" in upgraded.migrations()
        [outcome] = upgraded.op_outcomes(open_only=True)
        assert (outcome["op_id"], outcome["code"], outcome["base"], outcome["theirs"]) == (op.op_id, "x", None, None)


def _old_record_push_result(conn: Any, result: dict[str, Any], now: str) -> None:
    conn.execute("DELETE FROM outbox WHERE op_id = ?", (result["op_id"],))
    conn.execute("INSERT INTO op_outcomes (op_id, status, code, recorded_at) VALUES (?,?,?,?)",
                 (result["op_id"], result["status"], result["code"], now))


def test_an_outcome_keeps_base_and_theirs_and_a_settled_one_drops_its_base(vault: Vault) -> None:
    pid = register(vault, name="钱三", number="460106195001010034", mobile=None)["person_id"]
    first = _card_op(vault, pid, [_card(pid, "active")])
    mine = _card_op(vault, pid, [_card(pid, "temp_lost")], kind="card.loss_temporary")
    theirs = [{"op_id": "c-1", "kind": "card.loss_formal", "worker_id": "w-2", "device_id": "d-2",
               "hlc": "x", "received_at": "2026-11-20T08:00:00+00:00"}]
    vault.record_push_results([
        {"op_id": first.op_id, "status": "applied"},
        {"op_id": mine.op_id, "status": "applied_with_conflict", "code": "stale", "base_version": 2,
         "center_version": 4, "theirs": theirs, "center_state": {"person_id": pid, "cards": [], "version": 4}},
    ])
    [issue] = vault.op_outcomes(open_only=True)
    assert issue["op_id"] == mine.op_id
    assert [c["status"] for c in issue["base"]["cards"]] == ["active"]  # what the worker saw when saving
    assert (issue["base_version"], issue["center_version"], issue["theirs"]) == (2, 4, theirs)
    settled = {o["op_id"]: o for o in vault.op_outcomes()}[first.op_id]
    assert settled["base"] is None  # applied: its base is no longer kept
