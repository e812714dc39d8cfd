"""Fixtures of the export tests: a supervisor's real SQLCipher vault in tmp_path with an area's people, visits
(own and pulled from colleagues), card operations with the center's answers, deadlines and reveals."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any

import pytest

from storage import Vault
from sync.client.trust import META_AREA, META_ROLE
from tests.support.people import card_dump, citizen_id, person_payload
from tests.support.vaults import PASSPHRASE, use_cheap_kdf

TODAY = dt.date(2026, 12, 2)


def make_vault(path: Path, role: str | None = "supervisor", area: str | None = "4601",
               worker: str = "sup-1") -> Vault:
    vault = Vault.create(path, PASSPHRASE, worker_id=worker)
    if role is not None:
        vault.set_meta(META_ROLE, role)
        vault.set_meta(META_AREA, area or "")
    return vault


def visit(person_id: str, worker: str, day: str, outcome: str = "done", notes: str = "") -> dict[str, Any]:
    return {"visit_id": str(uuid.uuid4()), "person_id": person_id, "worker_id": worker, "day": day,
            "outcome": outcome, "present": ["本人"], "notes": notes, "op_ids": [], "planned": False}


def seed(vault: Vault) -> dict[str, Any]:
    """Three people in Haikou (4601..), one in Sanya (4602..); visits, card ops, a reveal, a deadline."""
    people = [
        person_payload(name="王小明", number=citizen_id("460106", dt.date(1950, 1, 1), 1, False),
                       mobile="13812345678", area_code="460106"),
        person_payload(name="=HYPERLINK(\"http://x\")", number=citizen_id("460105", dt.date(1948, 3, 2), 2, True),
                       mobile="13900001111", area_code="460105"),
        person_payload(name="陈大海", number=citizen_id("460107", dt.date(1952, 7, 9), 3, False),
                       mobile=None, area_code="460107"),
        person_payload(name="林三亚", number=citizen_id("460202", dt.date(1951, 5, 5), 4, False),
                       mobile="13700002222", area_code="460202"),
    ]
    for p in people:
        vault.append("person.register", p["person_id"], {"person": p})
    own = [visit(people[0]["person_id"], "sup-1", "2026-11-20", notes="电话13812345678已核对"),
           visit(people[1]["person_id"], "sup-1", "2026-11-21", "nobody_home", notes="@SUM(A1) 下次再来")]
    for v in own:
        vault.append("visit.log", v["person_id"], {"visit": v})
    colleague = [visit(people[2]["person_id"], "w-2", "2026-11-22", "refused"),
                 visit(people[3]["person_id"], "w-3", "2026-11-22")]  # Sanya: outside 4601
    vault.apply_pulled([{"type": "visit", "id": v["visit_id"], "version": 1, "data": v} for v in colleague], "1")
    applied = card_dump(people[0]["person_id"], "applied", accepted_on="2026-10-01")
    ready = card_dump(people[2]["person_id"], "ready", issued_on="2026-06-10")
    ops = []
    for p, card in ((people[0], applied), (people[2], ready)):
        op = vault.append("card.apply", p["person_id"], {
            "event": {"kind": "card.apply", "card_id": card["card_id"]},
            "cards": {"person_id": p["person_id"], "cards": [card], "version": 1}, "fee": None})
        ops.append(op)
    vault.record_push_results([
        {"op_id": ops[0].op_id, "status": "applied"},
        {"op_id": ops[1].op_id, "status": "rejected", "code": "one_card", "message_zh": "已有有效卡",
         "message_en": "already has a live card"}])
    vault.append("audit.reveal", people[0]["person_id"], {"field": "id_number", "screen": "person"})
    return {"people": people, "own": own, "colleague": colleague, "ops": ops}


@pytest.fixture
def sup_vault(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    use_cheap_kdf(monkeypatch)
    vault = make_vault(tmp_path / "vault.db")
    data = seed(vault)
    yield vault, data
    vault.close()


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    path = tmp_path / "out"
    path.mkdir()
    return path
