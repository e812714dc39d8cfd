"""The operation log: chaining, signatures, HLC, append-only triggers, and tampering caught by verify_log."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from outreach.domain.operation import GENESIS_HASH, compute_hash, hash_ok, parse_hlc, signature_ok
from storage import LogAppendError, Vault, driver, oplog
from storage import vault as vault_module
from tests.support.storage import raw_connection, register
from tests.support.vaults import PASSPHRASE


def _fill(vault: Vault, n: int = 6) -> list[Any]:
    ops = []
    for i in range(n):
        person = register(vault, name=f"林{i}妹", number=f"4690271960010{i:04d}2")
        ops.append(vault.pending_operations()[-1])
        assert ops[-1].subject == person["person_id"]
    return ops


def test_append_chains_and_signs(vault: Vault) -> None:
    person = register(vault)
    pid = person["person_id"]
    op2 = vault.append("person.update", pid, {"person": {**person, "mobile": "13900000000"}})
    op1 = next(vault.operations())
    assert (op1.seq, op2.seq) == (1, 2)
    assert op1.prev_hash == GENESIS_HASH
    assert op2.prev_hash == op1.hash
    assert op1.base_version == 0
    assert op2.base_version == 1
    assert vault.subject_version(pid) == 2
    for op in (op1, op2):
        assert hash_ok(op)
        assert signature_ok(op, vault.public_key)
        assert op.device_id == vault.device_id
        assert op.worker_id == "worker-1"
    assert [o.op_id for o in vault.operations(after_seq=1)] == [op2.op_id]
    other = register(vault, name="张三丰", number="460107195001010026")
    assert [o.seq for o in vault.operations(subject=pid)] == [1, 2]
    assert [o.seq for o in vault.operations(subject=other["person_id"])] == [3]


def test_bad_appends_write_nothing(vault: Vault) -> None:
    register(vault)
    with pytest.raises(LogAppendError):
        vault.append("card.teleport", "p", {})
    with pytest.raises(LogAppendError):
        vault.append("person.update", "p", {"x": float("nan")})
    with pytest.raises(LogAppendError):
        vault.append("person.update", "p", {"when": __import__("datetime").date(2026, 1, 1)})
    with pytest.raises(LogAppendError):
        vault.append_many([("visit.log", "p", {}), ("nope", "p", {})])
    assert [o.seq for o in vault.operations()] == [1]
    assert vault.verify_log().ok


def test_hlc_monotonic_when_clock_goes_back(vault: Vault, vault_path: Path, monkeypatch) -> None:
    wall = [2_000_000_000_000]
    monkeypatch.setattr(vault_module, "wall_clock_ms", lambda: wall[0])
    a = vault.append("audit.reveal", "p1", {"field": "mobile", "screen": "person"})
    wall[0] -= 3_600_000  # clock set back an hour
    b = vault.append("audit.reveal", "p1", {"field": "mobile", "screen": "person"})
    vault.close()
    with Vault.open(vault_path, PASSPHRASE) as v:  # the last HLC survives a restart
        c = v.append("audit.reveal", "p1", {"field": "mobile", "screen": "person"})
    assert parse_hlc(a.hlc) < parse_hlc(b.hlc) < parse_hlc(c.hlc)
    assert parse_hlc(b.hlc) == (2_000_000_000_000, 1)


def test_log_table_refuses_update_and_delete(vault: Vault) -> None:
    register(vault)
    conn = vault._db()
    for sql in ("UPDATE oplog SET kind = 'x'", "DELETE FROM oplog"):
        with pytest.raises(Exception, match="append-only"):
            conn.execute(sql)
    assert vault.verify_log().ok


# --- tampering: an attacker with the passphrase edits the file directly -------------------------------
def _drop_triggers(conn: Any) -> None:
    conn.execute("DROP TRIGGER oplog_no_update")
    conn.execute("DROP TRIGGER oplog_no_delete")


def _alter_payload(conn: Any, ops: list[Any]) -> tuple[int, str]:
    row = conn.execute("SELECT payload FROM oplog WHERE seq = 3").fetchone()
    payload = json.loads(row[0])
    payload["person"]["name"] = "假名字"
    conn.execute("UPDATE oplog SET payload = ? WHERE seq = 3", (json.dumps(payload, ensure_ascii=False),))
    return 3, ops[2].op_id


def _delete_row(conn: Any, ops: list[Any]) -> tuple[int, str]:
    conn.execute("DELETE FROM oplog WHERE seq = 3")
    return 3, ops[3].op_id


def _swap_seq(conn: Any, ops: list[Any]) -> tuple[int, str]:
    conn.execute("UPDATE oplog SET seq = -1 WHERE seq = 2")
    conn.execute("UPDATE oplog SET seq = 2 WHERE seq = 4")
    conn.execute("UPDATE oplog SET seq = 4 WHERE seq = -1")
    return 2, ops[3].op_id


def _insert_forged(conn: Any, ops: list[Any]) -> tuple[int, str]:
    """Replace op 4 with a well-formed, correctly hashed and chained op signed by another key."""
    conn.execute("DELETE FROM oplog WHERE seq = 4")
    original = ops[3]
    fields = original.signed_fields()
    fields["payload"] = {"person": {**fields["payload"]["person"], "mobile": "13111111111"}}
    fields["op_id"] = "forged-op"
    digest = compute_hash(fields)
    signature = Ed25519PrivateKey.generate().sign(bytes.fromhex(digest)).hex()
    forged = original.model_copy(update={**fields, "hash": digest, "signature": signature})
    oplog.insert(conn, forged)
    return 4, "forged-op"


def _append_forged(conn: Any, ops: list[Any]) -> tuple[int, str]:
    """A forged 7th operation, chained onto the real head, signed by the attacker's own key."""
    last = ops[-1]
    fields = {**last.signed_fields(), "seq": 7, "op_id": "forged-7", "prev_hash": last.hash, "kind": "card.cancel"}
    digest = compute_hash(fields)
    signature = Ed25519PrivateKey.generate().sign(bytes.fromhex(digest)).hex()
    oplog.insert(conn, last.model_copy(update={**fields, "hash": digest, "signature": signature}))
    return 7, "forged-7"


def _cut_tail(conn: Any, ops: list[Any]) -> tuple[int, str | None]:
    conn.execute("DELETE FROM oplog WHERE seq = 6")
    return 6, None


TAMPERS = {
    "alter_payload": (_alter_payload, "hash mismatch"),
    "delete_row": (_delete_row, "seq gap"),
    "swap_seq": (_swap_seq, "hash mismatch"),
    "insert_forged": (_insert_forged, "bad signature"),
    "append_forged": (_append_forged, "bad signature"),
    "cut_tail": (_cut_tail, "removed at the end"),
}


@pytest.mark.parametrize("name", list(TAMPERS))
def test_verify_log_names_first_bad_op(vault: Vault, vault_path: Path, name: str) -> None:
    ops = _fill(vault, 6)
    assert vault.verify_log().ok
    vault.close()
    tamper, problem = TAMPERS[name]
    conn = raw_connection(vault_path)
    _drop_triggers(conn)
    bad_seq, bad_op_id = tamper(conn, ops)
    conn.close()
    with Vault.open(vault_path, PASSPHRASE) as v:
        verdict = v.verify_log()
    assert not verdict.ok
    assert verdict.first_bad_seq == bad_seq
    assert verdict.first_bad_op_id == bad_op_id
    assert problem in (verdict.problem or "")
    if name == "alter_payload":  # the CLI names it too (exit non-zero)
        pw = vault_path.parent / "pw.txt"
        pw.write_text(PASSPHRASE + "\n", encoding="utf-8")
        out = subprocess.run(
            [sys.executable, "-m", "outreach.cli.main", "log", "verify", "--vault", str(vault_path),
             "--passphrase-file", str(pw)],
            capture_output=True, text=True, timeout=120,
        )
        assert out.returncode == 1
        assert f"seq={bad_seq}" in out.stderr
        assert bad_op_id in out.stderr
        assert "Traceback" not in out.stderr


def test_device_key_lives_only_inside_the_vault(vault: Vault, vault_path: Path) -> None:
    private = vault._state()["device_private_key"]
    assert len(bytes.fromhex(private)) == 32
    vault.close()
    for path in vault_path.parent.iterdir():
        assert bytes.fromhex(private) not in path.read_bytes()
        assert private.encode() not in path.read_bytes()
    assert driver.PAGE_SIZE == 4096


def test_sign_for_sync_with_domain_separation(vault: Vault) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    message = b"outreach-sync-v1\nPOST\n/v1/push\n..."
    Ed25519PublicKey.from_public_bytes(vault.public_key).verify(vault.sign(message), message)
    with pytest.raises(ValueError, match="32-byte"):
        vault.sign(b"\0" * 32)


@given(st.lists(st.integers(min_value=0, max_value=9_999_999_999_999), min_size=1, max_size=50))
def test_hlc_strictly_increases_for_any_wall_clock(walls: list[int]) -> None:
    last = None
    for wall in walls:
        now = oplog.next_hlc(last, wall)
        if last is not None:
            assert parse_hlc(now) > parse_hlc(last)
            assert now > last  # the text form sorts the same way
        last = now


def test_hlc_counter_overflow_keeps_text_order() -> None:
    last = "2000000000000.99999"
    nxt = oplog.next_hlc(last, 1)
    assert nxt == "2000000000001.00000"
    assert nxt > last


def test_operations_by_id_finds_exactly_the_asked_ones(vault):
    ops = _fill(vault, 6)
    wanted = [ops[1].op_id, ops[4].op_id, "no-such-op"]
    found = vault.operations_by_id(wanted)
    assert set(found) == {ops[1].op_id, ops[4].op_id}
    assert found[ops[4].op_id] == ops[4]
    assert vault.operations_by_id([]) == {}
