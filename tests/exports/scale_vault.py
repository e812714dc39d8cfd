"""A supervisor's vault with many visits of their area (tests/exports/test_scale.py, bench/bench_export.py):
``people`` people of 460106 and ``visits`` visits pulled from 20 colleagues over 2026, written in pages through
the real pull path (``Vault.apply_pulled``), so the export reads what a real supervisor's laptop holds."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any

from storage import Vault
from sync.client.trust import META_AREA, META_ROLE
from tests.support.people import citizen_id, person_payload
from tests.support.vaults import PASSPHRASE

OUTCOMES = ("done", "done", "nobody_home", "refused", "come_back")
NOTES = ("", "本人在家，已办理", "=HYPERLINK(\"x\") 邻居代收", "电话13812345678，下次再来")


def visit(i: int, person_id: str, first_day: dt.date = dt.date(2026, 1, 1)) -> dict[str, Any]:
    return {"visit_id": str(uuid.UUID(int=i + 1)), "person_id": person_id, "worker_id": f"w-{i % 20}",
            "day": (first_day + dt.timedelta(days=i % 330)).isoformat(), "outcome": OUTCOMES[i % len(OUTCOMES)],
            "present": ["本人"], "notes": NOTES[i % len(NOTES)], "op_ids": [], "planned": False}


def build(path: Path, visits: int, people: int = 2000) -> list[str]:
    """Make the vault at ``path``; returns the person ids."""
    with Vault.create(path, PASSPHRASE, worker_id="sup-1") as vault:
        vault.set_meta(META_ROLE, "supervisor")
        vault.set_meta(META_AREA, "4601")
        ids = []
        changes = []
        for n in range(people):
            born = dt.date(1940 + n % 50, 1 + n % 12, 1 + n % 28)
            p = person_payload(name="王亚明" if n % 2 else "符春花",
                               number=citizen_id("460106", born, n, n % 2 == 0),
                               mobile=f"138{n:08d}", area_code="460106")
            ids.append(p["person_id"])
            changes.append({"type": "person", "id": p["person_id"], "version": 1, "data": p})
        vault.apply_pulled(changes, "0")
        add_visits(vault, ids, 0, visits)
    return ids


def add_visits(vault: Vault, ids: list[str], start: int, count: int, page: int = 10_000) -> None:
    """Pull ``count`` more visits (numbered from ``start``) into the open vault."""
    for first in range(start, start + count, page):
        batch = [visit(i, ids[i % len(ids)]) for i in range(first, min(first + page, start + count))]
        vault.apply_pulled([{"type": "visit", "id": v["visit_id"], "version": 1, "data": v} for v in batch],
                           str(first))
