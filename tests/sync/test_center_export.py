"""The center's export reads the operations, visits and card states of the supervisor's area only, from the
log position it began at; a later export given the earlier checkpoint reads only what came after (SQLite and
PostgreSQL stores)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from outreach.domain.models import Visit
from outreach.exports import ExportFilter
from sync.center.export_source import CenterExportSource, authorise
from sync.client.client import sync_once
from tests.sync.test_access import _two_areas


def _worker_with(center: Any, make_vault: Any, people: Any, person: Any, name: str) -> Any:
    """A worker of the person's county who applies for the person's card and logs a visit, synced."""
    center.store.assign(name, [person.person_id], center.clock())
    v = make_vault(name)
    center.enrol(v, "worker", person.area_code[:4])
    assert sync_once(v, center.url, transport=center.transport).errors == []  # the person to visit, pulled
    people.apply(v, person)
    _visit(v, person, name, dt.date(2026, 11, 2))
    s = sync_once(v, center.url, transport=center.transport)
    assert (s.applied, s.issues) == (2, []), s.issues
    return v


def _visit(vault: Any, person: Any, worker: str, day: dt.date) -> str:
    visit = Visit(person_id=person.person_id, worker_id=worker, day=day, outcome="nobody_home")
    vault.append("visit.log", person.person_id, {"visit": visit.model_dump(mode="json")})
    return visit.visit_id


def test_a_center_export_reads_its_area_only_and_resumes_from_its_checkpoint(center, make_vault, people):
    p, _q, r = _two_areas(people)
    center.store.load_people([x.model_dump(mode="json") for x in (p, r)], center.clock())
    _worker_with(center, make_vault, people, r, "w-there")
    here = _worker_with(center, make_vault, people, p, "w-here")  # its visit is the last logged before the export
    boss = make_vault("boss")
    center.enrol(boss, "supervisor", p.area_code[:4])
    device, area = authorise(center.store, boss.device_id, None)
    src = CenterExportSource(center.store, device)
    everyone = ExportFilter(area=area)

    ops = list(src.records("operations", everyone, None))
    assert [(o["kind"], o["subject"], o["worker_id"]) for o in ops] == [("card.apply", p.person_id, "w-here")]
    assert ops[0]["status"] == "applied"
    assert ops[0]["person"]["person_id"] == p.person_id
    visits = list(src.records("visits", everyone, None))
    assert [(x["visit"]["person_id"], x["worker_id"]) for x in visits] == [(p.person_id, "w-here")]
    cards = list(src.records("deadlines", everyone, None))
    assert [c["person"]["person_id"] for c in cards] == [p.person_id]
    assert [c["status"] for c in cards[0]["cards"]["cards"]] == ["applied"]
    assert list(src.records("operations", ExportFilter(area=area, worker="w-there"), None)) == []
    checkpoint = src.checkpoint()

    # a later export from that checkpoint reads only what came after it
    again = _visit(here, p, "w-here", dt.date(2026, 11, 9))
    assert sync_once(here, center.url, transport=center.transport).applied == 1
    later = CenterExportSource(center.store, device)
    assert [x["visit"]["visit_id"] for x in later.records("visits", everyone, checkpoint)] == [again]
    assert list(later.records("operations", everyone, checkpoint)) == []
    assert later.checkpoint()["log_index"] > checkpoint["log_index"]
