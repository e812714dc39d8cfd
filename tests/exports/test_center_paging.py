"""The center export's pages come from the log's index first, the area joined after (sync/center/tables/
operations.export_page): a page wholly outside the supervisor's area is paged past, not taken for the end,
nothing is skipped or repeated, and the worker and rejected filters still hold (SQLite and PostgreSQL). The
reason, measured by bench/bench_center_export.py: joined first, a PostgreSQL without statistics yet sorted the
rest of the log on disk for every page (136 s for 200,000 visits)."""

from __future__ import annotations

import datetime as dt
import json
from functools import partial
from typing import Any

import pytest

from outreach.exports import ExportFilter
from sync.center import export_source
from sync.center.export_source import CenterExportSource, authorise
from tests.sync.conftest import make_store, pg_schema  # noqa: F401 - fixture used by make_store

COLUMNS = ("op_id", "device_id", "seq", "worker_id", "kind", "subject", "hlc", "hash", "body", "status",
           "received_at", "log_index")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def center(request, tmp_path):
    st = make_store(request.param, tmp_path, request)
    yield st
    st.close()


def _fill(tx: Any, plan: list[tuple[str, str, str]]) -> None:
    """Subjects ``near`` (460106) and ``far`` (460201); one operation per ``(subject, worker, status)``: a
    visit log, every fourth a card application."""
    for subject, area in (("near", "460106"), ("far", "460201")):
        person = {"person_id": subject, "name": "王亚明", "area_code": area, "mobile": "13812345678",
                  "document": {"doc_type": "resident_id", "number": "460106195001010018"}}
        tx.stage("subjects", ("subject", "version", "area_code", "person", "cards"),
                 [(subject, 1, area, json.dumps(person, ensure_ascii=False), None)])
    rows = []
    for i, (subject, worker, status) in enumerate(plan):
        visit = {"visit_id": f"v-{i}", "person_id": subject, "worker_id": worker, "day": "2026-11-02",
                 "outcome": "done", "present": [], "notes": "", "op_ids": [], "planned": False}
        body = json.dumps({"kind": "visit.log", "payload": {"visit": visit}})
        kind = "card.apply" if i % 4 == 3 else "visit.log"
        rows.append((f"op-{i}", f"d-{worker}", i + 1, worker, kind, subject, f"{i:013d}.00000", "h", body,
                     status, "2026-11-02T08:00:00+00:00", i))
    tx.stage("operations", COLUMNS, rows)


def test_pages_outside_the_area_are_paged_past_and_nothing_is_skipped_or_repeated(center, monkeypatch):
    monkeypatch.setattr(export_source, "PAGE", 3)
    plan = [("far", "w-far", "applied")] * 7  # two whole pages and more of another area first
    plan += [("near", "w-1", "applied"), ("far", "w-far", "applied"), ("near", "w-2", "applied"),
             ("near", "w-1", "rejected"), ("far", "w-far", "applied"), ("far", "w-far", "applied"),
             ("far", "w-far", "applied"), ("near", "w-1", "applied")]
    center.transaction(partial(_fill, plan=plan), bulk=True)
    code = center.create_enrol_code("sup-w", "supervisor", "4601", dt.timedelta(hours=1))
    center.enrol(code, "sup", "sup-w", bytes(32), dt.datetime.now(dt.UTC))
    device, area = authorise(center, "sup", None)
    source = CenterExportSource(center, device)

    got = [r["visit"]["visit_id"] for r in source.records("visits", ExportFilter(area=area), None)]
    assert got == ["v-9", "v-14"]  # the area's applied visits, in log order, once each
    only_w1 = [r["visit"]["visit_id"] for r in source.records("visits", ExportFilter(area=area, worker="w-1"), None)]
    assert only_w1 == ["v-14"]
    assert [r["visit"]["visit_id"] for r in source.records("visits", ExportFilter(area=area), {"log_index": 9})] \
        == ["v-14"]  # incremental: after the previous export's log position
    ops = [(r["op_id"], r["person"]["area_code"]) for r in source.records("operations", ExportFilter(area=area), None)]
    assert ops == [("op-7", "460106")]  # a card operation outside the area never comes out
