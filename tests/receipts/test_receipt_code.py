"""The QR code decodes (pdftoppm + zbarimg) to a payload that verifies; a changed code does not; the short code
verifies where the operation is held; the center says whether it has the operation and what it decided."""

from __future__ import annotations

import datetime as dt

import pytest

from outreach.cli.main import main
from outreach.receipts.center import verify_at_center
from outreach.receipts.content import RECEIPT_KINDS
from sync.center.pg_store import PgStore
from tests.receipts.receipt_support import pdf_text, qr_codes
from tests.sync.conftest import make_store, pg_schema  # noqa: F401  (pg_schema: the PostgreSQL fixture)


def _flip(text: str, index: int) -> str:
    """Another character at ``index``, also in hex ("a" -> "A" would be the same hash byte)."""
    ch = text[index]
    return text[:index] + ("A" if ch.upper() != "A" else "B") + text[index + 1:]


def test_qr_decodes_to_a_code_that_verifies_and_a_changed_one_does_not(receipts, every_kind, tmp_path):
    op = every_kind["card.apply"]
    found = qr_codes(receipts.pdf(op.op_id), tmp_path)
    assert len(found) == 1
    verdict = receipts.verify(found[0])
    assert verdict.ok
    assert verdict.op_id == op.op_id
    assert verdict.kind == "card.apply"
    assert "申领" in verdict.lines("zh_CN")[0]
    parts = found[0].split("|")
    for i in (1, 3, 4, 5, 6):  # op id, kind, day, hash, signature
        changed = list(parts)
        changed[i] = {3: "card.cancel", 4: "2026-01-01"}.get(i, _flip(parts[i], 2))
        assert not receipts.verify("|".join(changed)).ok, i
    assert receipts.verify("HNSC1|garbage").validity == "unreadable"


def test_short_code_verifies_and_a_changed_one_does_not(receipts, every_kind):
    op = every_kind["card.exchange"]
    code = receipts.receipt(op.op_id).short_code
    assert receipts.verify(code).ok
    assert receipts.verify(code.lower().replace("-", "")).ok  # as read over the phone
    assert receipts.verify(_flip(code, len(code) - 1)).validity == "not_found"


def test_another_devices_receipt_is_unknown_on_this_laptop(receipts, every_kind, tmp_path):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from outreach.receipts import code as codes

    op = every_kind["card.apply"]
    other = codes.ReceiptCode(op.op_id, "other-device", op.kind, dt.date(2026, 11, 27), op.hash, b"")
    sig = Ed25519PrivateKey.generate().sign(codes.statement(other.op_id, other.device_id, other.kind, other.day,
                                                             other.op_hash))
    payload = codes.qr_payload(codes.ReceiptCode(*list(other.__dict__.values())[:5], sig))
    assert receipts.verify(payload).validity == "unknown_device"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def center_store(request, tmp_path, ctx):
    store = make_store(request.param, tmp_path, request)
    vault = ctx.session.vault
    now = dt.datetime.now(dt.UTC)
    code = store.create_enrol_code(vault.worker_id, "worker", None, dt.timedelta(hours=1))
    store.enrol(code, vault.device_id, vault.worker_id, vault.public_key, now)
    yield store
    store.close()


def test_center_verifies_and_says_what_it_decided(receipts, ctx, every_kind, center_store, tmp_path, capsys,
                                                  request):
    op = every_kind["card.apply"]
    payload = qr_codes(receipts.pdf(op.op_id), tmp_path)[0]
    before = verify_at_center(center_store, payload)
    assert before.ok
    assert "中心尚未收到" in " ".join(before.lines("zh_CN"))
    vault = ctx.session.vault
    device = center_store.device(vault.device_id)
    results = center_store.push(device, vault.pending_operations(), dt.date(2026, 11, 27), dt.datetime.now(dt.UTC))
    status = next(r for r in results if r.op_id == op.op_id).status
    after = verify_at_center(center_store, payload)
    assert after.ok
    words = " ".join(after.lines("zh_CN"))
    assert "中心已收到" in words
    from outreach.i18n import CATALOGUES

    assert CATALOGUES["zh_CN"][f"receipt.verify.status.{status}"] in words
    short = receipts.receipt(op.op_id).short_code
    assert verify_at_center(center_store, short).ok
    # the same through the command line, at the center (its SQLite file, or its PostgreSQL URL and schema)
    if isinstance(center_store, PgStore):
        url, schema = request.getfixturevalue("pg_schema")
        where = ["--center-db", url, "--pg-schema", schema]
    else:
        where = ["--center-db", str(tmp_path / "center.db")]
    capsys.readouterr()
    assert main(["receipt", "verify", payload, *where]) == 0
    assert "中心已收到" in capsys.readouterr().out
    assert main(["receipt", "verify", _flip(short, len(short) - 1), *where]) == 1
    assert "没有找到" in capsys.readouterr().out


def test_cli_saves_the_receipt_where_asked(ctx, every_kind, tmp_path, capsys):
    from tests.support.vaults import PASSPHRASE

    op = every_kind["card.apply"]
    secret = tmp_path / "pass.txt"
    secret.write_text(PASSPHRASE + "\n", encoding="utf-8")
    vault_path = str(ctx.settings.vault_path)
    ctx.session.lock() if hasattr(ctx.session, "lock") else None
    out = tmp_path / "chosen" / "r.pdf"
    out.parent.mkdir()
    assert main(["receipt", "save", op.op_id, "--out", str(out), "--vault", vault_path,
                 "--passphrase-file", str(secret)]) == 0
    assert "符亚明" in pdf_text(out.read_bytes())
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    assert main(["receipt", "save", op.op_id, "--out", str(tmp_path / "x.txt"), "--vault", vault_path,
                 "--passphrase-file", str(secret)]) == 1
    assert "请换一个位置" in capsys.readouterr().err


@pytest.mark.parametrize("kind", sorted(RECEIPT_KINDS))
def test_every_kinds_qr_decodes_to_its_own_genuine_code(receipts, every_kind, kind, tmp_path):
    op = every_kind[kind]
    [payload] = qr_codes(receipts.pdf(op.op_id, paper="roll80"), tmp_path)  # the smaller print: the roll
    verdict = receipts.verify(payload)
    assert verdict.ok
    assert (verdict.op_id, verdict.kind) == (op.op_id, kind)
    assert receipts.verify(payload.replace(kind, "card.apply" if kind != "card.apply" else "card.cancel")).validity \
        == "invalid"
