"""Checking a receipt on an enrolled laptop (issue 16, point 3): over real HTTP on loopback the laptop asks the
center, which knows every device's key, whether it has the operation and what it decided; offline, the laptop
says what the center decided at its last sync. Both center stores (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from outreach.cli.main import main
from outreach.domain import CardLossTemporary
from outreach.i18n import CATALOGUES
from outreach.services.receipts import ReceiptProblem, ReceiptService
from sync.center.embedded import EmbeddedCenter
from sync.client.client import enrol, sync_once
from tests.receipts.receipt_support import PERSON, qr_codes, record
from tests.support.context import PEOPLE, make_context, person_dump
from tests.support.vaults import PASSPHRASE
from tests.sync.conftest import make_store, pg_schema  # noqa: F401  (pg_schema: the PostgreSQL fixture)

ZH = CATALOGUES["zh_CN"]


def _flip(text: str, index: int) -> str:
    ch = text[index]
    return text[:index] + ("A" if ch.upper() != "A" else "B") + text[index + 1:]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def center(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[EmbeddedCenter]:
    """A center on loopback that knows the seeded people (as the province's load would have given them)."""
    store = make_store(request.param, tmp_path, request)
    now = dt.datetime.now(dt.UTC)
    store.load_people([person_dump(name, g, born, area, i) for i, (name, g, born, area, _s, _n) in enumerate(PEOPLE)],
                      now)
    running = EmbeddedCenter(store=store)
    running.start()
    yield running
    running.stop()
    store.close()


def _enrol(ctx: Any, center: EmbeddedCenter, *, assign: tuple[str, ...] = (PERSON,)) -> None:
    """Enrol the laptop's worker and put ``assign`` (names of the seeded people) on the worker's plan."""
    vault = ctx.session.vault
    code = center.store.create_enrol_code(vault.worker_id, "worker", None, dt.timedelta(hours=1))
    enrol(vault, center.url, code)
    pids = [str(ctx.people.find(name)[0].person_id) for name in assign]
    center.store.assign(vault.worker_id, pids, dt.datetime.now(dt.UTC))


@pytest.fixture
def other(tmp_path: Path) -> Iterator[Any]:
    """A second laptop (its own device key: a fresh vault, not a copy of the template)."""
    context = make_context(tmp_path / "laptop-b", template=False)
    context.session.unlock(PASSPHRASE)
    yield context
    context.close()


def _words(verdict: Any, lang: str = "zh_CN") -> str:
    return " ".join(verdict.lines(lang))


def test_enrolled_laptop_checks_another_laptops_receipt_with_the_center(ctx, other, center, receipts, tmp_path):
    _enrol(ctx, center)
    _enrol(other, center)
    b_vault = other.session.vault
    b_receipts = ReceiptService(other.session, lambda: other.settings)
    pid = str(other.people.find(PERSON)[0].person_id)
    from tests.receipts.receipt_support import record_every_kind

    ops = record_every_kind(b_vault, pid)
    apply_op = ops["card.apply"]
    payload = qr_codes(b_receipts.pdf(apply_op.op_id), tmp_path)[0]
    short = b_receipts.receipt(apply_op.op_id).short_code

    # this laptop alone cannot tell: it knows only its own key and its own operations
    assert receipts.verify(payload).validity == "unknown_device"
    assert receipts.verify(short).validity == "not_found"

    # the center knows laptop B's key from its enrolment, but has not received the operation yet
    before = receipts.verify_with_center(payload)
    assert before.ok
    assert before.where == "center"
    assert before.kind == "card.apply"
    assert ZH["receipt.verify.center_missing"] in _words(before)
    assert receipts.verify_with_center(short).validity == "not_found"

    summary = sync_once(b_vault)
    assert not summary.errors
    after = receipts.verify_with_center(payload)
    assert after.ok
    assert ZH["receipt.verify.center_has"].format(status=ZH["receipt.verify.status.applied"]) in _words(after)
    assert "applied" in _words(after, "en")
    by_short = receipts.verify_with_center(short)
    assert by_short.ok
    assert by_short.record is not None
    assert by_short.record.status == "applied"

    # a changed code is not genuine, at the center either
    parts = payload.split("|")
    for i in (1, 3, 5, 6):
        changed = list(parts)
        changed[i] = "card.cancel" if i == 3 else _flip(parts[i], 2)
        assert not receipts.verify_with_center("|".join(changed)).ok, i
    assert receipts.verify_with_center(_flip(short, len(short) - 1)).validity == "not_found"
    assert receipts.verify_with_center("HNSC1|garbage").validity == "unreadable"


def test_the_center_says_it_rejected_an_operation_and_why(ctx, center, receipts):
    """A loss report for a person who is not on this worker's plan: the laptop's domain accepted it, the center
    refuses it; the receipt's check says so, with the center's reason, online and offline alike."""
    _enrol(ctx, center, assign=())
    vault = ctx.session.vault
    pid = str(ctx.people.find("王秀英")[0].person_id)
    op = record(vault, pid, CardLossTemporary(period="15d"))
    sync_once(vault)
    code = receipts.receipt(op.op_id).qr_payload
    verdict = receipts.verify_with_center(code)
    assert verdict.ok
    assert verdict.record is not None
    assert verdict.record.status == "rejected", verdict.record
    words = _words(verdict)
    assert ZH["receipt.verify.center_has"].format(status=ZH["receipt.verify.status.rejected"]) in words
    assert verdict.record.message_zh
    assert verdict.record.message_zh in words
    assert verdict.record.message_en in _words(verdict, "en")
    # offline, the laptop tells the same decision, as recorded at that sync
    local = _words(receipts.verify(code))
    assert ZH["receipt.verify.status.rejected"] in local
    assert verdict.record.message_zh in local


def test_laptop_offline_says_what_the_center_decided_at_the_last_sync(ctx, center, receipts, every_kind):
    op = every_kind["card.apply"]
    code = receipts.receipt(op.op_id).qr_payload
    first = receipts.verify(code)
    assert first.ok
    assert first.where == "laptop"
    assert ZH["receipt.verify.laptop_unsent"] in _words(first)
    with pytest.raises(ReceiptProblem) as caught:  # not enrolled yet: no center to ask
        receipts.verify_with_center(code)
    assert caught.value.detail
    assert "登记" in caught.value.detail[0]
    _enrol(ctx, center)
    assert not sync_once(ctx.session.vault).errors
    synced = _words(receipts.verify(code))
    assert ZH["receipt.verify.laptop_center_has"].format(status=ZH["receipt.verify.status.applied"]) in synced
    assert ZH["receipt.verify.laptop_unsent"] not in synced


def test_cli_verify_on_an_enrolled_laptop_asks_the_center_and_falls_back(ctx, center, receipts, every_kind,
                                                                          tmp_path, capsys):
    op = every_kind["card.apply"]
    _enrol(ctx, center)
    assert not sync_once(ctx.session.vault).errors
    code = receipts.receipt(op.op_id).short_code
    secret = tmp_path / "pass.txt"
    secret.write_text(PASSPHRASE + "\n", encoding="utf-8")
    opts = ["--vault", str(ctx.settings.vault_path), "--passphrase-file", str(secret)]
    ctx.session.lock()
    capsys.readouterr()

    assert main(["receipt", "verify", code, *opts]) == 0
    out = capsys.readouterr().out
    assert ZH["receipt.verify.asked_center"] in out
    assert ZH["receipt.verify.center_has"].format(status=ZH["receipt.verify.status.applied"]) in out

    assert main(["receipt", "verify", code, "--offline", *opts]) == 0
    out = capsys.readouterr().out
    assert ZH["receipt.verify.asked_center"] not in out
    assert ZH["receipt.verify.local_has"] in out

    assert main(["receipt", "verify", _flip(code, len(code) - 1), *opts]) == 1
    assert ZH["receipt.verify.not_found"] in capsys.readouterr().out

    center.stop()  # the link is gone: the laptop says so and checks on its own
    assert main(["receipt", "verify", code, "--lang", "en", *opts]) == 0
    out = capsys.readouterr().out
    assert "cannot be reached" in out
    assert "At the last sync the center had this operation" in out


def test_an_employer_host_may_not_check_receipts(ctx, center, receipts, every_kind):
    """HR staff of a bulk activation day hand out no receipts: the center refuses them, in words."""
    from tests.sync.conftest import EMPLOYER

    vault = ctx.session.vault
    code = center.store.create_enrol_code(vault.worker_id, "employer_host", None, dt.timedelta(hours=1),
                                          employer=EMPLOYER)
    enrol(vault, center.url, code)
    with pytest.raises(ReceiptProblem) as caught:
        receipts.verify_with_center(receipts.receipt(every_kind["card.apply"].op_id).qr_payload)
    assert caught.value.detail == ("本设备无权核验回执", "this device may not check receipts")
