"""A supervisor's vault for the supervisor-home tests (services and UI): the area's visits, own and colleagues',
card work with the center's answers, deadlines overdue and coming."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

from outreach.services.context import AppContext
from sync.client.trust import META_AREA, META_ROLE
from tests.support.context import card_dump, person_dump, set_cards


def _visit(person_id: str, worker: str, day: str, outcome: str = "done") -> dict[str, Any]:
    return {"visit_id": str(uuid.uuid4()), "person_id": person_id, "worker_id": worker, "day": day,
            "outcome": outcome, "present": ["本人"], "notes": "", "op_ids": [], "planned": False}


def seed_area(ctx: AppContext, monkeypatch: pytest.MonkeyPatch, role: str = "supervisor") -> dict[str, str]:
    """A supervisor's vault: the area's visits (own and colleagues'), card work with the center's answers
    (one rejected ten days ago, one in conflict since yesterday), a bank closure coming, a card not issued within
    30 working days. The clock of the tests (:data:`tests.support.context.NOW`) is 2026-11-27."""
    vault = ctx.session.vault
    vault.set_meta(META_ROLE, role)
    vault.set_meta(META_AREA, "46")
    ids = {name: ctx.people.find(name)[0].person_id for name in ("王秀英", "符亚明", "李春花")}
    own = [_visit(ids["王秀英"], "w-test", "2026-11-27"), _visit(ids["李春花"], "w-test", "2026-11-26", "nobody_home")]
    for v in own:
        vault.append("visit.log", v["person_id"], {"visit": v})
    pulled = [_visit(ids["符亚明"], "w-2", "2026-11-27", "refused"), _visit(ids["王秀英"], "w-2", "2026-11-25"),
              _visit(ids["李春花"], "w-3", "2026-11-20"),
              _visit(ids["符亚明"], "w-3", "2026-09-01")]  # older than the chart's 14 days
    vault.apply_pulled([{"type": "visit", "id": v["visit_id"], "version": 1, "data": v} for v in pulled], "1")
    set_cards(vault, ids["符亚明"], [card_dump(ids["符亚明"], "cancelled", "H46010002",
                                              cancelled_on="2026-06-10")], 2)  # close the bank account by 12-07
    chen = person_dump("陈玉兰", "2", dt.date(1942, 9, 30), "460107", 3)
    vault.apply_pulled([{"type": "person", "id": chen["person_id"], "version": 1, "data": chen}], "1")
    set_cards(vault, chen["person_id"], [card_dump(chen["person_id"], "applied", accepted_on="2026-09-01")])
    rejected = ctx.cards.record(ids["王秀英"], "card.loss_temporary", {"period": "15d", "identity_verified": True})
    conflict = ctx.cards.record(ids["李春花"], "card.deliver", {"method": "home_delivery"})
    import storage.vault

    real_now = storage.vault._now
    monkeypatch.setattr("storage.vault._now", lambda: "2026-11-17T02:00:00+00:00")
    vault.record_push_results([{"op_id": rejected.op_id, "status": "rejected", "code": "card_cancelled",
                                "message_zh": "中心记录此卡已注销", "message_en": "cancelled at the center"}])
    monkeypatch.setattr("storage.vault._now", lambda: "2026-11-26T02:00:00+00:00")
    vault.record_push_results([{"op_id": conflict.op_id, "status": "applied_with_conflict", "code": "conflict",
                                "theirs": [{"kind": "card.deliver", "worker_id": "w-2", "device_id": "dev-w2-0001",
                                            "received_at": "2026-11-10T02:00:00+00:00"}]}])
    monkeypatch.setattr("storage.vault._now", real_now)
    return ids
