"""``outreach center export`` over SQLite and PostgreSQL stores that real laptops pushed to through the real
app: the supervisor's area only, masked, signed with the center's key (``export verify`` with that key), an
incremental ``--since`` export with only what came after, and the refusals (a worker's device, another area,
a revoked device, an unknown one) exit 1 having written nothing."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from outreach.cli.main import main
from outreach.domain.models import Visit
from sync.center.rules import center_day
from sync.client.client import sync_once
from tests.support.vaults import PASSPHRASE, use_cheap_kdf
from tests.sync.conftest import Center, People, make_store, pg_schema  # noqa: F401 - fixture used by make_store


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def world(request, tmp_path, monkeypatch) -> Any:
    from storage import Vault

    use_cheap_kdf(monkeypatch)
    store = make_store(request.param, tmp_path, request)
    if request.param == "sqlite":
        db = ["--db", str(tmp_path / "center.db")]
    else:
        url, schema = request.getfixturevalue("pg_schema")
        db = ["--db", url, "--pg-schema", schema]
    center = Center(store)
    people = People()
    p = people.adult()
    mine = [p]
    while len(mine) < 3:
        q = people.adult()
        if q.area_code[:4] == p.area_code[:4]:
            mine.append(q)
        else:
            far = q
    while far.area_code[:4] == p.area_code[:4]:
        far = people.adult()
    store.load_people([x.model_dump(mode="json") for x in (*mine, far)], center.clock())
    vaults = []

    def laptop(worker: str, role: str, area: str | None) -> Any:
        v = Vault.create(tmp_path / f"{worker}.db", PASSPHRASE, worker_id=worker)
        vaults.append(v)
        center.enrol(v, role, area)
        return v

    county = p.area_code[:4]
    near = laptop("w-near", "worker", county)
    away = laptop("w-far", "worker", far.area_code[:4])
    store.assign("w-near", [x.person_id for x in mine], center.clock())
    store.assign("w-far", [far.person_id], center.clock())
    sup = laptop("sup", "supervisor", county)
    other_sup = laptop("sup-other", "supervisor", far.area_code[:4])
    day = center_day(center.clock())
    for x in mine:
        visit(near, x, "w-near", day)
        people.apply(near, x)
    visit(away, far, "w-far", day)
    for v in (near, away):
        assert sync_once(v, center.url, transport=center.transport).errors == []
    yield {"db": db, "store": store, "center": center, "people": people, "mine": mine, "far": far, "near": near,
           "away": away, "sup": sup, "other_sup": other_sup, "day": day, "county": county}
    for v in vaults:
        v.close()
    center.bridge.close()
    store.close()


def visit(vault: Any, person: Any, worker: str, day: dt.date, notes: str = "本人在家") -> Any:
    v = Visit(person_id=person.person_id, worker_id=worker, day=day, outcome="done", notes=notes)
    return vault.append("visit.log", person.person_id, {"visit": v.model_dump(mode="json")})


def _rows(folder: Path, dataset: str) -> list[dict[str, str]]:
    (path,) = folder.glob(f"*-{dataset}.csv")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = [r for r in csv.reader(fh) if r and not r[0].startswith("#")]
    return [dict(zip(rows[0], r, strict=False)) for r in rows[1:]]


def _export(world: Any, out: Path, *extra: str) -> int:
    return main(["center", "export", *world["db"], "--out", str(out), *extra])


def test_center_export_writes_the_area_masked_and_signed_then_only_what_is_new(world, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    sup = world["sup"].device_id
    assert _export(world, out, "--device", sup, "--dataset", "visits", "--dataset", "operations",
                   "--format", "csv", "--format", "xlsx") == 0
    (folder,) = [p for p in out.iterdir() if p.is_dir()]
    visits = _rows(folder, "visits")
    mine = {x.person_id for x in world["mine"]}
    assert {r["人员编号"] for r in visits} == mine  # the county's three, not the other county's
    assert all(r["工作人员"] == "w-near" for r in visits)
    numbers = {x.document.number for x in world["mine"]}
    assert not any(n in " ".join(r.values()) for r in visits for n in numbers)  # masked
    assert all("*" in r["证件号码"] for r in visits)
    ops = _rows(folder, "operations")
    assert {r["人员编号"] for r in ops} == mine
    assert len(ops) == 3
    assert next(folder.glob("*.xlsx")).stat().st_size > 0

    key = world["store"].center_keys()
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    public = Ed25519PrivateKey.from_private_bytes(key.sign_private).public_key().public_bytes(
        Encoding.Raw, PublicFormat.Raw).hex()
    capsys.readouterr()
    assert main(["export", "verify", str(folder), "--key", public]) == 0
    assert "center" in capsys.readouterr().out
    assert main(["export", "verify", str(folder), "--key", "00" * 32]) == 1  # not signed by that key

    # two more visits reach the center; "--since" the first export writes only those
    near, center = world["near"], world["center"]
    for x in world["mine"][:2]:
        visit(near, x, "w-near", world["day"], notes="第二次上门")
    assert sync_once(near, center.url, transport=center.transport).errors == []
    later = tmp_path / "later"
    later.mkdir()
    assert _export(world, later, "--device", sup, "--since", str(folder), "--dataset", "visits") == 0
    (second,) = [p for p in later.iterdir() if p.is_dir()]
    new = _rows(second, "visits")
    assert len(new) == 2
    assert {r["备注"] for r in new} == {"第二次上门"}


@pytest.mark.parametrize("who", ["worker", "other_area", "wildcard_area", "revoked", "unknown"])
def test_center_export_refuses_and_writes_nothing(world, tmp_path, capsys, who):
    out = tmp_path / "out"
    out.mkdir()
    args: list[str] = []
    if who == "worker":
        device = world["near"].device_id
    elif who == "other_area":
        device = world["sup"].device_id
        args = ["--area", world["far"].area_code[:4]]
    elif who == "wildcard_area":  # a LIKE wildcard after one's own prefix is no area code
        device = world["sup"].device_id
        args = ["--area", world["county"] + "%"]
    elif who == "revoked":
        device = world["other_sup"].device_id
        assert world["store"].revoke(device, world["center"].clock())
    else:
        device = "no-such-device"
    capsys.readouterr()
    assert _export(world, out, "--device", device, *args) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "/" in err  # Chinese / English words
    assert list(out.iterdir()) == []
