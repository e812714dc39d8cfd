"""Bulk-session reconciliations as an export dataset, and the session filter (issue 14, items 2 and 3): a
supervisor who closed an employer's day exports its reconciliation from the laptop, and from the center with
``outreach center export --dataset sessions`` (SQLite and PostgreSQL, over the real app): one row per roster
person of the area, the outcome in words, the reason masked, whether the close manifest agreed; the session
filter keeps one day's reconciliation and the card operations done at it."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from outreach.cli.main import main
from outreach.domain.enums import CardStatus
from outreach.domain.sessions import (
    CloseLine,
    CloseManifest,
    Employer,
    Roster,
    RosterEntry,
    SessionPlan,
    subject_of,
)
from outreach.exports import ExportFilter, ExportRequest, run_export
from outreach.exports.datasets import NOT_KNOWN_HERE
from outreach.exports.labels import SESSION_OUTCOME_ZH
from outreach.exports.vault_source import VaultSource
from sync.client.client import sync_once
from tests.exports.conftest import TODAY
from tests.support.vaults import PASSPHRASE, use_cheap_kdf
from tests.sync.conftest import EMPLOYER, Center, People, make_store, pg_schema  # noqa: F401 - fixture

REASON = "银行系统故障，本人电话13812345678"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def day(request, tmp_path, monkeypatch) -> Any:
    from storage import Vault

    use_cheap_kdf(monkeypatch)
    store = make_store(request.param, tmp_path, request)
    db = ["--db", str(tmp_path / "center.db")]
    if request.param == "postgres":
        url, schema = request.getfixturevalue("pg_schema")
        db = ["--db", url, "--pg-schema", schema]
    center = Center(store)
    people = People()
    near: list[Any] = []
    far = None
    while len(near) < 2 or far is None:
        p = people.adult()
        if p.area_code.startswith("4601") and len(near) < 2:
            near.append(p)
        elif not p.area_code.startswith("4601") and far is None:
            far = p
    store.load_people([p.model_dump(mode="json") for p in (*near, far)], center.clock())
    sup = Vault.create(tmp_path / "sup.db", PASSPHRASE, worker_id="sup")
    center.enrol(sup, "supervisor", "4601")  # the employer's division 460100 is in the area: may run its day
    plan = SessionPlan(employer=Employer(name="海口某某有限公司", credit_code=EMPLOYER), venue="单位会议室",
                       day=dt.date(2026, 12, 4), workers=("sup", "w1"), bank_branch="海南农信海口分行")
    sid = plan.session_id
    sup.append("session.plan", subject_of(sid), {"session": plan.model_dump(mode="json")})
    roster = Roster(revision=1, entries=tuple(RosterEntry(person_id=p.person_id, row=i + 2, department="财务部")
                                              for i, p in enumerate((*near, far))))
    sup.append("session.roster", subject_of(sid), {"roster": roster.model_dump(mode="json")})
    # card work: a worker of the day applies for one card at it and for another elsewhere (applied at the
    # center); the supervisor's laptop holds the same two of its own (refused there: a supervisor does no
    # card work, but the laptop's export lists what it holds)
    worker = Vault.create(tmp_path / "w1.db", PASSPHRASE, worker_id="w1")
    center.enrol(worker, "worker", "4601")
    store.assign("w1", [p.person_id for p in near], center.clock())
    ops = {}
    for who, v in (("w1", worker), ("sup", sup)):
        kind, payload = people.card_ops(near[0], CardStatus.APPLIED)[0]
        ops[who] = v.append(kind, near[0].person_id, {**payload, "session_id": sid})  # done at the day
        kind, payload = people.card_ops(near[1], CardStatus.APPLIED)[0]
        v.append(kind, near[1].person_id, payload)  # done elsewhere
        assert sync_once(v, center.url, transport=center.transport).errors == []
    listed = tuple((o.op_id, o.hash) for o in sup.operations()
                   if o.subject == subject_of(sid) or o.payload.get("session_id") == sid)
    lines = (CloseLine(person_id=near[0].person_id, outcome="applied"),
             CloseLine(person_id=near[1].person_id, outcome="exception", reason=REASON),
             CloseLine(person_id=far.person_id, outcome="absent"))
    manifest = CloseManifest(session_id=sid, roster_revision=1, closed_on=dt.date(2026, 12, 4), lines=lines,
                             operations=listed)
    sup.append("session.close", subject_of(sid), {"close": manifest.model_dump(mode="json")})
    s = sync_once(sup, center.url, transport=center.transport)
    assert s.errors == []
    yield {"db": db, "store": store, "sup": sup, "sid": sid, "near": near, "far": far, "ops": ops}
    sup.close()
    worker.close()
    center.bridge.close()
    store.close()


def _rows(folder: Path, dataset: str) -> list[dict[str, str]]:
    (path,) = folder.glob(f"*-{dataset}.csv")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = [r for r in csv.reader(fh) if r and not r[0].startswith("#")]
    return [dict(zip(rows[0], r, strict=False)) for r in rows[1:]]


def _check(rows: list[dict[str, str]], day: Any, agrees: str) -> None:
    by = {r["人员编号"]: r for r in rows}
    assert set(by) == {p.person_id for p in day["near"]}  # the person outside 4601 is not the area's
    first, second = (by[p.person_id] for p in day["near"])
    assert first["结果"] == SESSION_OUTCOME_ZH["applied"]
    assert second["结果"] == SESSION_OUTCOME_ZH["exception"]
    assert second["原因"] == "银行系统故障，本人电话138****5678"  # masked like every free text
    assert {r["场次编号"] for r in rows} == {day["sid"]}
    assert {r["单位统一社会信用代码"] for r in rows} == {EMPLOYER}
    assert {r["结束日期"] for r in rows} == {"2026-12-04"}
    assert {r["清单与中心一致"] for r in rows} == {agrees}
    assert all("*" in r["证件号码"] for r in rows)


def test_the_laptop_exports_the_reconciliation_of_the_day_it_closed(day, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    src = VaultSource(day["sup"], today=TODAY)
    res = run_export(src, src.authorise(ExportRequest(datasets=("sessions", "operations"), formats=("csv",),
                                                      today=TODAY)), out)
    _check(_rows(res.folder, "sessions"), day, NOT_KNOWN_HERE)  # the center's answer did not say
    assert res.rows["operations"] == 2
    src = VaultSource(day["sup"], today=TODAY)
    one = run_export(src, src.authorise(ExportRequest(datasets=("sessions", "operations"), formats=("csv",),
                                                      filter=ExportFilter(session=day["sid"]), today=TODAY)), out)
    assert one.rows == {"sessions": 2, "operations": 1}  # only the card operation done at the day
    assert {r["操作编号"] for r in _rows(one.folder, "operations")} == {day["ops"]["sup"].op_id}
    src = VaultSource(day["sup"], today=TODAY)
    other = run_export(src, src.authorise(ExportRequest(datasets=("sessions",), formats=("csv",),
                                                        filter=ExportFilter(session="another-day"), today=TODAY)), out)
    assert other.rows == {"sessions": 0}


def test_the_center_exports_the_reconciliation_and_filters_by_session(day, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    base = ["center", "export", *day["db"], "--device", day["sup"].device_id, "--format", "csv"]
    assert main([*base, "--out", str(out), "--dataset", "sessions", "--dataset", "operations"]) == 0
    (folder,) = [p for p in out.iterdir() if p.is_dir()]
    _check(_rows(folder, "sessions"), day, "是")
    assert len(_rows(folder, "operations")) == 4  # the worker's two applied, the supervisor's two refused
    one = tmp_path / "one"
    one.mkdir()
    assert main([*base, "--out", str(one), "--dataset", "sessions", "--dataset", "operations",
                 "--session", day["sid"]]) == 0
    (folder,) = [p for p in one.iterdir() if p.is_dir()]
    assert len(_rows(folder, "sessions")) == 2
    assert {r["操作编号"] for r in _rows(folder, "operations")} == {day["ops"]["w1"].op_id}
    # a later export "--since" this one: no close came in since
    later = tmp_path / "later"
    later.mkdir()
    assert main([*base, "--out", str(later), "--dataset", "sessions", "--since", str(folder)]) == 0
    (folder,) = [p for p in later.iterdir() if p.is_dir()]
    assert _rows(folder, "sessions") == []
    assert main([*base, "--out", str(later), "--dataset", "sessions", "--session", "bad id;"]) == 1
