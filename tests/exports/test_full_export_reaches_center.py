"""A full (unmasked) export is recorded as an ``audit.export`` operation that reaches the center and is
accepted there (issue 14, item 5), on SQLite and PostgreSQL, over the real app: the supervisor's laptop is
left with no open rejection, the center keeps the operation with its purpose; a worker cannot slip one in, and
an ``audit.export`` aimed at a person is refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from outreach.exports import ExportRequest, run_export
from outreach.exports.vault_source import VaultSource
from sync.center.access import NOT_PERMITTED
from sync.client.client import sync_once
from tests.exports.conftest import TODAY
from tests.support.vaults import PASSPHRASE, use_cheap_kdf
from tests.sync.conftest import Center, People, make_store, pg_schema  # noqa: F401 - fixture used by make_store


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def center(request, tmp_path, monkeypatch) -> Any:
    use_cheap_kdf(monkeypatch)
    store = make_store(request.param, tmp_path, request)
    c = Center(store)
    yield c
    c.bridge.close()
    store.close()


def _laptop(tmp_path: Path, center: Any, worker: str, role: str, area: str) -> Any:
    from storage import Vault

    v = Vault.create(tmp_path / f"{worker}.db", PASSPHRASE, worker_id=worker)
    center.enrol(v, role, area)
    return v


def test_the_audit_of_a_full_export_is_accepted_at_the_center(center, tmp_path):
    sup = _laptop(tmp_path, center, "sup", "supervisor", "4601")
    try:
        out = tmp_path / "out"
        out.mkdir()
        src = VaultSource(sup, today=TODAY)
        res = run_export(src, src.authorise(ExportRequest(datasets=("visits",), formats=("xlsx",), masked=False,
                                                          purpose="区人社局核查", today=TODAY)), out)
        s = sync_once(sup, center.url, transport=center.transport)
        assert s.errors == []
        assert s.issues == []  # nothing for the supervisor to settle
        assert sup.pending_operations() == []
        (audit,) = [op for op in sup.operations() if op.kind == "audit.export"]
        recorded = {op.op_id: op.status for op in center.store.operations(sup.device_id)}
        assert recorded[audit.op_id] == "applied"
        body = center.store.transaction(lambda tx: tx.rows("SELECT kind, subject, body FROM operations WHERE op_id = ?",
                                                 (audit.op_id,)))[0]
        assert body[0] == "audit.export"
        assert body[1] == "export:" + res.export_id
        assert "区人社局核查" in body[2]
        assert res.password not in body[2]
    finally:
        sup.close()


def test_a_worker_or_a_misaimed_audit_export_is_refused(center, tmp_path):
    people = People()
    p = people.adult()
    center.store.load_people([p.model_dump(mode="json")], center.clock())
    worker = _laptop(tmp_path, center, "w", "worker", p.area_code[:4])
    sup = _laptop(tmp_path, center, "sup", "supervisor", p.area_code[:4])
    try:
        payload = {"export_id": "e-1", "purpose": "x", "datasets": ["visits"], "filters": {}}
        worker.append("audit.export", "export:e-1", payload)
        s = sync_once(worker, center.url, transport=center.transport)
        assert [i.code for i in s.issues] == [NOT_PERMITTED]
        # a supervisor's audit.export must name its export as subject, never a person
        sup.append("audit.export", p.person_id, {**payload, "export_id": "e-2"})
        s = sync_once(sup, center.url, transport=center.transport)
        assert [i.code for i in s.issues] == [NOT_PERMITTED]
        assert center.store.center_cards(p.person_id) is None
    finally:
        worker.close()
        sup.close()
