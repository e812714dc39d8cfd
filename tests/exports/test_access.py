"""Role and area where the data is: a worker cannot export, a supervisor only their area; the center refuses
the rest (SQLite and PostgreSQL stores)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from outreach.exports import ExportFilter, ExportRefused, ExportRequest, run_export
from outreach.exports.vault_source import VaultSource
from sync.center.export_source import CenterExportSource, ExportNotAllowed, authorise
from tests.exports.conftest import TODAY, make_vault
from tests.sync.conftest import make_store, pg_schema  # noqa: F401 - fixture used by make_store


@pytest.mark.parametrize(("role", "area", "asked"), [(None, None, None), ("worker", "4601", None),
                                                     ("supervisor", "", None), ("supervisor", "4601", "4602"),
                                                     ("supervisor", "4601", "46")])
def test_laptop_refuses(tmp_path: Path, monkeypatch, role, area, asked):
    from tests.support.vaults import use_cheap_kdf

    use_cheap_kdf(monkeypatch)
    with make_vault(tmp_path / "v.db", role=role, area=area) as vault:
        src = VaultSource(vault, today=TODAY)
        with pytest.raises(ExportRefused):
            src.authorise(ExportRequest(filter=ExportFilter(area=asked)))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def center(request, tmp_path):
    st = make_store(request.param, tmp_path, request)
    yield st
    st.close()


def _device(store, role: str, area: str | None, device_id: str) -> None:
    code = store.create_enrol_code(device_id + "-w", role, area, dt.timedelta(hours=1))
    store.enrol(code, device_id, device_id + "-w", bytes(32), dt.datetime.now(dt.UTC))


def test_center_refuses_workers_revoked_devices_and_other_areas(center):
    _device(center, "worker", "4601", "dev-w")
    _device(center, "supervisor", "4601", "dev-s")
    _device(center, "supervisor", "4602", "dev-r")
    center.revoke("dev-r", dt.datetime.now(dt.UTC))
    for device_id, area in (("dev-w", None), ("dev-s", "4602"), ("dev-s", "46"), ("dev-r", None),
                            ("nobody", None)):
        with pytest.raises(ExportNotAllowed):
            authorise(center, device_id, area)
    device, area = authorise(center, "dev-s", "460106")
    assert area == "460106"


def test_center_export_reads_only_the_area(center, tmp_path):
    people = []
    from tests.support.people import person_payload

    for area in ("460106", "460202"):
        people.append(person_payload(area_code=area))
    center.load_people(people, dt.datetime.now(dt.UTC))
    _device(center, "supervisor", "4601", "dev-s")
    device, area = authorise(center, "dev-s", None)
    src = CenterExportSource(center, device)
    cards_seen = list(src.records("deadlines", ExportFilter(area=area), None))
    assert cards_seen == []  # no card state yet; nothing from Sanya either
    out = tmp_path / "out"
    out.mkdir()
    res = run_export(src, ExportRequest(datasets=("visits", "operations"), formats=("csv",),
                                        filter=ExportFilter(area=area), today=TODAY), out)
    assert res.rows == {"visits": 0, "operations": 0}
    assert res.checkpoint == {"log_index": src.mark()}
