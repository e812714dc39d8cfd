"""Vault.iter_visits: every visit once, in the order of Vault.visits, read in pages (the export streams it)."""

from __future__ import annotations

import uuid

from storage import Vault
from tests.support.vaults import PASSPHRASE, use_cheap_kdf


def _visit(i: int, day: str) -> dict[str, object]:
    return {"visit_id": str(uuid.UUID(int=(i * 7919) % 1000 + 1)), "person_id": f"p-{i % 5}", "worker_id": "w",
            "day": day, "outcome": "done", "present": [], "notes": "", "op_ids": [], "planned": False}


def test_pages_give_every_visit_once_in_day_then_id_order(tmp_path, monkeypatch):
    use_cheap_kdf(monkeypatch)
    with Vault.create(tmp_path / "v.db", PASSPHRASE, worker_id="w") as vault:
        days = ("2026-11-03", "2026-11-01", "2026-11-02")
        visits = [_visit(i, days[i % 3]) for i in range(50)]
        vault.apply_pulled([{"type": "visit", "id": v["visit_id"], "version": 1, "data": v} for v in visits], "1")
        whole = [v.visit_id for v in vault.visits()]
        assert len(whole) == 50
        for batch in (1, 7, 17, 50, 1000):  # page edges inside a day and between days
            assert [v.visit_id for v in vault.iter_visits(batch=batch)] == whole
        assert [v.day.isoformat() for v in vault.iter_visits(batch=7)] == sorted(v["day"] for v in visits)


def test_a_visit_written_during_the_reading_is_read_once_when_it_sorts_later(tmp_path, monkeypatch):
    use_cheap_kdf(monkeypatch)
    with Vault.create(tmp_path / "v.db", PASSPHRASE, worker_id="w") as vault:
        first = [_visit(i, "2026-11-01") for i in range(10)]
        vault.apply_pulled([{"type": "visit", "id": v["visit_id"], "version": 1, "data": v} for v in first], "1")
        it = vault.iter_visits(batch=4)
        got = [next(it).visit_id for _ in range(4)]
        late = _visit(999, "2026-11-09")
        vault.apply_pulled([{"type": "visit", "id": late["visit_id"], "version": 1, "data": late}], "2")
        got += [v.visit_id for v in it]
        assert sorted(got) == sorted([v["visit_id"] for v in first] + [late["visit_id"]])
        assert len(got) == len(set(got)) == 11
