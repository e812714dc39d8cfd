"""Nothing readable of a person on disk: every file under the data folder, UTF-8 and GBK."""

from __future__ import annotations

from pathlib import Path

from outreach import locations
from outreach.domain.identity import mod11_2_check
from outreach.services.seed import REFERENCE_DAY, seed_people
from storage import Vault
from tests.support.vaults import PASSPHRASE


def _needles(vault: Vault) -> list[bytes]:
    out: list[bytes] = []
    for (data,) in vault._db().execute("SELECT data FROM people").fetchall():
        import json

        person = json.loads(data)
        texts = [person["document"]["number"]]
        if len(person["name"]) >= 3:  # 2-char GBK names are 4 bytes: random ciphertext could match
            texts.append(person["name"])
        if person["mobile"]:
            texts.append(person["mobile"])
        if person["address"]:
            texts.append(person["address"])
        for text in texts:
            out.append(text.encode("utf-8"))
            out.append(text.encode("gbk"))
    return out


def _scan(folder: Path, needles: list[bytes]) -> list[str]:
    found = []
    for path in folder.rglob("*"):
        if path.is_file():
            blob = path.read_bytes()
            found += [f"{path.name}: {n!r}" for n in needles if n in blob]
    return found


def test_nothing_readable_on_disk_after_seeding() -> None:
    path = locations.default_vault_path()
    vault = Vault.create(path, PASSPHRASE, worker_id="w-disk")
    report = seed_people(vault, 300, seed=7)
    photo_marker = "相片-王小明-460106195001010018".encode()
    vault.put_attachment(photo_marker * 50, "image/jpeg")
    needles = _needles(vault) + [photo_marker, photo_marker.decode().encode("gbk")]
    assert report.people == 300
    assert len(needles) > 600
    # while open (WAL and SHM present) ...
    assert not _scan(locations.data_dir(), needles)
    vault.close()
    # ... and after closing
    files = sorted(p.name for p in locations.data_dir().rglob("*") if p.is_file())
    assert files == ["vault.db", "vault.db.attempts.json"]
    assert not _scan(locations.data_dir(), needles)


def test_seed_is_realistic_and_deterministic(tmp_path: Path) -> None:
    a = Vault.create(tmp_path / "a.db", PASSPHRASE, worker_id="w")
    report = seed_people(a, 60, seed=42)
    assert set(report.statuses) >= {"applied", "ready", "active", "temp_lost", "lost", "cancelled", "suspended",
                                     "recalled", "replaced", "exchanged"}
    conn = a._db()
    rows = conn.execute("SELECT name, id_number, area_code, data FROM people ORDER BY id_number").fetchall()
    statuses = {r[0] for r in conn.execute("SELECT DISTINCT status FROM cards")}
    assert len(statuses) == 10
    genders = set()
    for _name, number, area, _data in rows:
        assert number[:2] == "46"
        assert number[:6] == area
        assert number[17] == mod11_2_check(number[:17])
        genders.add(int(number[16]) % 2)
    assert genders == {0, 1}
    from outreach.domain.identity import check_identity
    from outreach.domain.numbers import check_card_number

    for _name, number, _area, _data in rows:
        assert check_identity(number, today=REFERENCE_DAY).valid, number
    for (card_number,) in conn.execute("SELECT card_number FROM cards WHERE card_number IS NOT NULL"):
        check = check_card_number(card_number)
        assert check.valid, card_number
        assert not check.warnings, card_number
    assert a.verify_log().ok
    b = Vault.create(tmp_path / "b.db", PASSPHRASE, worker_id="w")
    seed_people(b, 60, seed=42)
    same = b._db().execute("SELECT name, id_number, area_code, data FROM people ORDER BY id_number").fetchall()

    def without_photo_ref(rows: list) -> list:  # attachment references are random per vault, by design
        import json

        return [(*r[:3], {k: v for k, v in json.loads(r[3]).items() if k != "photo_ref"}) for r in rows]

    assert without_photo_ref(same) == without_photo_ref(rows)
    a.close()
    b.close()


def test_seeded_device_operations_are_ones_a_laptop_may_make(tmp_path: Path) -> None:
    """Statuses only the center decides arrive as center records; every seeded application passes the
    domain's form checks (photo from age 7, guardian under 16), so a seeded vault is a believable laptop."""
    from outreach.domain import Agent, ApplicationForm
    from outreach.domain.forms import agent_problem, check_form

    vault = Vault.create(tmp_path / "v.db", PASSPHRASE, worker_id="w")
    seed_people(vault, 120, seed=3)
    kinds = set()
    applications = 0
    for op in vault.operations():
        kinds.add(op.kind)
        if op.kind == "card.apply":
            applications += 1
            verdict = check_form(ApplicationForm.model_validate(op.payload["event"]["form"]), today=REFERENCE_DAY)
            assert verdict.problems == [], (op.seq, [p.code for p in verdict.problems])
        if op.kind == "card.cancel":  # on death only an agent may cancel (Art. 27)
            agent = Agent.model_validate(op.payload["event"]["agent"])
            assert agent_problem(agent, REFERENCE_DAY) is None
    assert applications > 90
    assert "card.cancel" in kinds
    assert not kinds & {"card.issue", "card.recall", "card.suspend", "card.lift_temporary"}
    sources = {}
    for (pid,) in vault._db().execute("SELECT DISTINCT person_id FROM cards").fetchall():
        cards = vault.person_cards(pid)
        assert cards is not None
        for card, src in zip(cards.cards, vault.card_sources(pid), strict=True):
            sources.setdefault(card.status.value, set()).add(src["source"])
    for status in ("ready", "suspended", "recalled"):
        assert sources[status] == {"center"}, status
    assert sources["applied"] == {"provisional"}
    planned = [v for v in vault.visits() if v.planned]
    assert planned
    assert all(v.outcome is None for v in planned)
