"""A damaged vault knows it: every page's HMAC is checked at opening, the damaged table is named, writes are
refused (file unchanged), and salvage recovers every operation that still verifies."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from storage import DamagedVaultError, ReadOnlyVaultError, Vault, driver, keys
from tests.support.damage import TABLES, build_vault, flip, pages_of, reset_attempts, roots
from tests.support.people import person_payload
from tests.support.storage import file_state
from tests.support.vaults import PASSPHRASE


@pytest.fixture(scope="module")
def intact(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    path = tmp_path_factory.mktemp("intact") / "vault.db"
    info = build_vault(path)
    return path, info


def _copy(intact: tuple[Path, dict[str, Any]], tmp_path: Path) -> Path:
    target = tmp_path / "copy" / "vault.db"
    target.parent.mkdir()
    shutil.copy(intact[0], target)
    reset_attempts(target)
    return target


@pytest.mark.parametrize("table", [t for t in TABLES if t != "vault_state"])
def test_a_damaged_page_of_each_table_is_named_and_writes_are_refused(intact, tmp_path: Path, table: str) -> None:
    path = _copy(intact, tmp_path)
    flip(path, roots(path)[table])
    before = file_state(path)
    with Vault.open(path, PASSPHRASE) as vault:
        assert vault.damage is not None
        assert table in vault.damage.tables, vault.damage.tables
        assert vault.read_only
        assert vault.damaged
        text = "\n".join(vault.damage.lines())
        assert "保险库已损坏" in text
        assert f"({table})" in text
        with pytest.raises(DamagedVaultError) as info:
            vault.append("person.register", "p-new", {"person": person_payload()})
        assert "salvage" in str(info.value)
        with pytest.raises(DamagedVaultError):
            vault.set_meta("k", "v")
        with pytest.raises(DamagedVaultError):
            vault.record_push_results([])
    assert file_state(path) == before


def test_damaged_device_keys_refuse_to_open_and_say_so(intact, tmp_path: Path) -> None:
    path = _copy(intact, tmp_path)
    flip(path, roots(path)["vault_state"])
    before = file_state(path)
    with pytest.raises(DamagedVaultError) as info:
        Vault.open(path, PASSPHRASE)
    assert info.value.report is not None
    assert info.value.report.keys_lost
    assert "设备密钥" in "\n".join(info.value.report.lines())
    assert file_state(path) == before


def test_an_intact_vault_has_no_damage_and_stays_writable(intact, tmp_path: Path) -> None:
    path = _copy(intact, tmp_path)
    with Vault.open(path, PASSPHRASE) as vault:
        assert vault.damage is None
        assert not vault.read_only
        assert vault.check_integrity().ok
        vault.append("person.register", "p-x", {"person": person_payload(person_id="p-x")})


def test_damage_found_after_opening_stops_writes(intact, tmp_path: Path) -> None:
    path = _copy(intact, tmp_path)
    with Vault.open(path, PASSPHRASE) as vault:
        flip(path, pages_of(path, "people")[-1])
        report = vault.check_integrity()
        assert not report.ok
        assert "people" in report.tables
        with pytest.raises(DamagedVaultError):
            vault.append("person.register", "p-y", {"person": person_payload(person_id="p-y")})


def test_a_read_of_a_damaged_page_is_a_vault_error_not_a_driver_error(intact, tmp_path: Path) -> None:
    """Opened without the check (as an older build would), the damaged page is met by a query: the driver's
    DatabaseError becomes DamagedVaultError and the vault stops writing."""
    from storage import opening

    path = _copy(intact, tmp_path)
    flip(path, roots(path)["people"])
    opened = opening.open_file(path, PASSPHRASE, check=False)
    vault = Vault(path, opened.conn, opened.key, opened.salt)
    try:
        with pytest.raises(DamagedVaultError):
            vault.find_people("王")
        with pytest.raises(DamagedVaultError):
            vault.set_meta("k", "v")
    finally:
        vault.close()


def _unreadable(path: Path, seq: int) -> bool:
    key = bytes(keys.derive_key(PASSPHRASE, keys.precheck(path)))
    conn = driver.connect(path, key, read_only=True)
    try:
        conn.execute("SELECT payload, signature FROM oplog WHERE seq = ?", (seq,)).fetchall()
    except Exception as exc:
        if not driver.is_db_error(exc):
            raise
        return True
    finally:
        conn.close()
    return False


def test_salvage_recovers_every_operation_that_verifies(intact, tmp_path: Path) -> None:
    path = _copy(intact, tmp_path)
    original: dict[int, Any] = intact[1]["ops"]
    oplog_pages = pages_of(path, "oplog")
    flip(path, oplog_pages[len(oplog_pages) // 2])
    fresh = tmp_path / "fresh" / "vault.db"
    with Vault.open(path, PASSPHRASE) as vault:
        assert "oplog" in vault.damage.tables
        found = vault.salvage(fresh, PASSPHRASE)
    recovered = {op.seq: op for op in found.operations}
    assert 0 < len(found.lost) < 20
    assert set(recovered) | set(found.lost) == set(original)
    for seq, op in recovered.items():
        assert op == original[seq]
    for seq in found.lost:  # lost only because its row cannot be read at all
        assert _unreadable(path, seq)
    with Vault.open(fresh, PASSPHRASE) as new:
        assert new.damage is None
        assert new.device_id == original[1].device_id
        verdict = new.verify_log()
        assert verdict.ok, verdict
        assert verdict.missing == len(found.lost)
        assert [op.seq for op in new.operations()] == sorted(recovered)
        assert new.get_meta("sync.center_url") == "http://127.0.0.1:9"
        assert new.get_meta("pull_checkpoint") is None  # the center's data is pulled again
        pushed = set(intact[1]["pushed"])
        assert {op.op_id for op in new.pending_operations(10_000)} == {
            op.op_id for op in recovered.values() if op.op_id not in pushed}
        assert len(new.op_outcomes(open_only=True)) == 2
        # and the fresh vault takes new work, chained after the last recovered operation
        op = new.append("person.register", "p-z", {"person": person_payload(person_id="p-z")})
        assert op.seq == max(recovered) + 1
        assert new.verify_log().ok


def test_salvage_of_a_damaged_projection_loses_nothing(intact, tmp_path: Path) -> None:
    path = _copy(intact, tmp_path)
    original: dict[int, Any] = intact[1]["ops"]
    with Vault.open(intact[0], PASSPHRASE, read_only=True) as source:
        people = {p.person_id: p for p in source.find_people("", limit=10_000)} or None
        visits = sorted(v.visit_id for v in source.visits())
    flip(path, roots(path)["people"])
    flip(path, roots(path)["visits"])
    fresh = tmp_path / "fresh.db"
    with Vault.open(path, PASSPHRASE) as vault:
        found = vault.salvage(fresh, PASSPHRASE)
    assert found.lost == []
    assert len(found.operations) == len(original)
    assert found.attachments
    assert found.attachments_lost == 0
    with Vault.open(fresh, PASSPHRASE) as new:
        assert new.verify_log().ok
        assert sorted(v.visit_id for v in new.visits() if not v.planned) == sorted(
            v for v in visits if any(o.kind == "visit.log" and o.payload["visit"]["visit_id"] == v
                                     for o in original.values()))
        for op in original.values():
            if op.kind.startswith("person."):
                assert new.get_person(op.subject) is not None
        if people:
            assert set(people) <= {p.person_id for p in new.find_people("", limit=10_000)}


def test_a_read_only_vault_refuses_writes_in_words(intact, tmp_path: Path) -> None:
    path = _copy(intact, tmp_path)
    before = file_state(path)
    with Vault.open(path, PASSPHRASE, read_only=True) as vault:
        assert vault.verify_log().ok
        with pytest.raises(ReadOnlyVaultError) as info:
            vault.set_meta("k", "v")
        assert "只读" in str(info.value)
        assert "read-only" in str(info.value)
    assert file_state(path)[""] == before[""]
