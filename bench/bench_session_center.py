"""Center side of an employer bulk activation day (issue 13), on SQLite and PostgreSQL.

For N roster people (default 500) with active cards at the center: the plan and roster pushed, N
``card.bank_activate`` operations naming the session pushed (each links to the session and republishes its
progress), N more activations of other people not naming a session (the same push without the session's work,
for the overhead), then the close manifest (plan, roster and N activations) pushed and checked again with
``session_check``. Operations are real vault operations (hashed, signed, chained) pushed through the store.

    .venv/bin/python bench/bench_session_center.py [--people 500] [--skip-pg] [--pg-url URL]
        (PostgreSQL URL default: $OUTREACH_TEST_PG_URL)

Writes bench/results/session_center.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

EMPLOYER = "91460100MA5T00000H"


def _active_people(store: Any, n: int, seed: int) -> list[tuple[str, str]]:
    """N people loaded with a card applied for, issued and handed over at the center: (person_id, card_id)."""
    from outreach.domain.enums import CardStatus
    from outreach.services.seed import _Gen
    from sync.center.rules import center_day

    gen = _Gen(seed, dt.date(2026, 11, 1))
    people = []
    while len(people) < n:
        p = gen.person()
        if p.birth_date <= dt.date(2007, 1, 1):
            people.append(p)
    now = dt.datetime.now(dt.UTC)
    today = center_day(now)
    store.load_people([p.model_dump(mode="json") for p in people], now)
    out = []
    for p in people:
        event = gen.card_ops(p, CardStatus.APPLIED)[0][1]["event"]
        event["form"]["photo_ref"] = "photo-ref-1"
        cid = event["card_id"]
        for ev in (event, {"kind": "card.issue", "card_id": cid, "card_number": "H" + cid[:8].upper(),
                           "issued_on": today.isoformat(), "note": ""},
                   {"kind": "card.deliver", "card_id": cid, "method": "in_person", "agent": None,
                    "document_checked": True, "electronic": False, "note": ""}):
            assert store.center_event(p.person_id, ev, today, now).status == "applied"
        out.append((p.person_id, cid))
    return out


def _activation(vault: Any, store: Any, pid: str, cid: str, sid: str | None) -> Any:
    event = {"kind": "card.bank_activate", "card_id": cid, "holder_present": True, "agent": None,
             "agent_ground": None, "holder_birth_date": None, "document_checked": True, "note": ""}
    payload: dict[str, Any] = {"event": event, "cards": None, "fee": None}
    if sid is not None:
        payload["session_id"] = sid
    # made on the center's state, as a laptop that prepared before going offline
    return vault.append("card.bank_activate", pid, payload, base_version=store.center_cards(pid)["version"])


def run(store: Any, n: int, tmp: Path, name: str) -> dict[str, Any]:
    from outreach.domain.sessions import CloseManifest, Employer, Roster, RosterEntry, SessionPlan, subject_of
    from storage import Vault
    from sync.center.rules import center_day
    from tests.support.vaults import PASSPHRASE

    store.init_schema()
    t0 = time.perf_counter()
    roster_people = _active_people(store, n, 1)
    other_people = _active_people(store, n, 2)
    setup_s = time.perf_counter() - t0
    vault = Vault.create(tmp / f"{name}.db", PASSPHRASE, worker_id="bench")
    now = dt.datetime.now(dt.UTC)
    today = center_day(now)
    device = store.enrol(store.create_enrol_code("bench", "worker", None, dt.timedelta(hours=1)),
                         vault.device_id, "bench", vault.public_key, now)
    store.assign("bench", [pid for pid, _ in roster_people + other_people], now)

    def push(ops: list[Any]) -> tuple[float, list[str]]:
        t = time.perf_counter()
        statuses: list[str] = []
        for i in range(0, len(ops), 100):
            statuses += [r.status for r in store.push(device, ops[i:i + 100], today, dt.datetime.now(dt.UTC))]
        return time.perf_counter() - t, statuses

    plan = SessionPlan(employer=Employer(name="海口某某有限公司", credit_code=EMPLOYER), venue="会议室",
                       day=today, workers=("bench",), bank_branch="海口分行")
    sid = plan.session_id
    first = [vault.append("session.plan", subject_of(sid), {"session": plan.model_dump(mode="json")}),
             vault.append("session.roster", subject_of(sid), {"roster": Roster(revision=1, entries=tuple(
                 RosterEntry(person_id=pid, row=i + 2) for i, (pid, _) in enumerate(roster_people))).model_dump(
                 mode="json")})]
    plan_roster_s, statuses = push(first)
    assert statuses == ["applied", "applied"], statuses
    at_session = [_activation(vault, store, pid, cid, sid) for pid, cid in roster_people]
    session_s, statuses = push(at_session)
    assert set(statuses) == {"applied"}, set(statuses)
    elsewhere = [_activation(vault, store, pid, cid, None) for pid, cid in other_people]
    plain_s, statuses = push(elsewhere)
    assert set(statuses) == {"applied"}, set(statuses)
    listed = tuple((o.op_id, o.hash) for o in first + at_session)
    close = vault.append("session.close", subject_of(sid), {"close": CloseManifest(
        session_id=sid, roster_revision=1, closed_on=today, lines=(), operations=listed).model_dump(mode="json")})
    close_s, statuses = push([close])
    assert statuses == ["applied"], statuses
    t = time.perf_counter()
    report = store.session_check(sid)
    check_s = time.perf_counter() - t
    assert report is not None
    assert report["agree"], report
    vault.close()
    return {
        "people": n, "setup_s": round(setup_s, 2),
        "plan_and_roster_push_s": round(plan_roster_s, 3),
        "activation_at_session_ms_per_op": round(1000 * session_s / n, 3),
        "activation_elsewhere_ms_per_op": round(1000 * plain_s / n, 3),
        "session_overhead_ms_per_op": round(1000 * (session_s - plain_s) / n, 3),
        "close_push_s": round(close_s, 3), "session_check_s": round(check_s, 3),
        "progress": report["progress"],
    }


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--people", type=int, default=500)
    ap.add_argument("--skip-pg", action="store_true")
    ap.add_argument("--pg-url", default=os.environ.get("OUTREACH_TEST_PG_URL"))
    args = ap.parse_args()
    import storage.keys
    from sync.center.sqlite_store import SqliteStore
    from tests.support.vaults import cheap_derive

    storage.keys.derive_key = cheap_derive  # one bench vault: its key's cost is not what is measured

    results: dict[str, Any] = {"when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        st = SqliteStore(tmp / "center.db")
        try:
            results["sqlite"] = run(st, args.people, tmp, "sqlite")
        finally:
            st.close()
        print(json.dumps(results["sqlite"], ensure_ascii=False))
        if not args.skip_pg and args.pg_url:
            import psycopg

            from sync.center.pg_store import PgStore

            schema = "bench_" + secrets.token_hex(4)
            pg = PgStore(args.pg_url, schema=schema)
            try:
                results["postgresql"] = run(pg, args.people, tmp, "pg")
            finally:
                pg.close()
                with psycopg.connect(args.pg_url, autocommit=True) as con:
                    con.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            print(json.dumps(results["postgresql"], ensure_ascii=False))
    out = ROOT / "bench" / "results" / "session_center.json"
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
