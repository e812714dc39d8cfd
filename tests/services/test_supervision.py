"""The supervision service (headless): refused on a worker's laptop, counts from the vault, revoked marks,
exports with filters and "since my last export"."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from outreach.services.errors import ServiceError
from outreach.services.supervision import ExportChoice
from sync.client.trust import META_REVOKED, META_ROLE
from tests.support.area import seed_area


@pytest.fixture
def out(tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def _visit_rows(folder: Path) -> list[list[str]]:
    (path,) = folder.glob("*-visits.csv")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [r for r in list(csv.reader(fh))[1:] if r and not r[0].startswith("#")]


def test_a_worker_laptop_gets_no_overview_and_no_export(ctx, monkeypatch, out):
    seed_area(ctx, monkeypatch, role="worker")
    assert not ctx.supervision.is_supervisor()
    with pytest.raises(ServiceError) as err:
        ctx.supervision.overview()
    assert err.value.key == "supervisor.not_supervisor"
    with pytest.raises(ServiceError):
        ctx.supervision.export(ExportChoice(), out)
    assert list(out.iterdir()) == []


def test_a_laptop_never_enrolled_is_no_supervisor(ctx):
    assert ctx.session.vault.get_meta(META_ROLE) is None
    assert not ctx.supervision.is_supervisor()


def test_this_laptop_marked_revoked_once_the_center_said_so(ctx, monkeypatch):
    seed_area(ctx, monkeypatch)
    mine = [d for d in ctx.supervision.overview().devices if d.this_device]
    assert mine[0].revoked is None  # not known
    ctx.session.vault.set_meta(META_REVOKED, "2026-11-26T01:00:00+00:00")
    (row,) = [d for d in ctx.supervision.overview().devices if d.this_device]
    assert row.revoked is True


def test_the_chart_window_follows_the_days_asked(ctx, monkeypatch):
    seed_area(ctx, monkeypatch)
    week = ctx.supervision.overview(days=7)
    assert [d.day.isoformat() for d in week.visits_per_day][0] == "2026-11-21"
    assert week.visits_total == 4  # 11-20 is outside the last 7 days
    assert week.totals["visits"] == 6


def test_export_filters_and_since_last(ctx, monkeypatch, out):
    import datetime as dt

    seed_area(ctx, monkeypatch)
    first = ctx.supervision.export(ExportChoice(date_from=dt.date(2026, 11, 25), date_to=dt.date(2026, 11, 27)),
                                   out)
    assert first is not None
    assert first.rows == {"visits": 4}
    assert len(_visit_rows(first.folder)) == 4
    assert first.password is None
    again = ctx.supervision.export(ExportChoice(since_last=True), out)
    assert again is not None
    assert again.rows == {"visits": 0}  # every visit was read by the first export's pass
    with pytest.raises(ServiceError) as err:
        ctx.supervision.export(ExportChoice(area="3301"), out)
    assert err.value.detail == ("只能导出本人辖区的数据", "you may export only your own area")


def test_a_cancelled_export_returns_none_and_leaves_nothing(ctx, monkeypatch, out):
    import threading

    seed_area(ctx, monkeypatch)
    cancel = threading.Event()
    cancel.set()
    assert ctx.supervision.export(ExportChoice(), out, cancel=cancel) is None
    assert list(out.iterdir()) == []
    assert ctx.session.vault.get_meta("export.checkpoint") is None


def test_the_session_filter_reaches_the_export_and_a_bad_one_is_refused_in_words(ctx, monkeypatch, out):
    seed_area(ctx, monkeypatch)
    done = ctx.supervision.export(ExportChoice(datasets=("sessions", "operations"), session="no-such-day"), out)
    assert done is not None
    assert done.rows == {"sessions": 0, "operations": 0}  # no card operation of the area was done at that day
    every = ctx.supervision.export(ExportChoice(datasets=("operations",)), out)
    assert every is not None
    assert every.rows["operations"] > 0
    with pytest.raises(ServiceError) as err:
        ctx.supervision.export(ExportChoice(session="bad id; drop"), out)
    assert err.value.detail == ("场次编号无效", "not a session id")
    assert sorted(p.name for p in out.iterdir()) == sorted([done.folder.name, every.folder.name])
