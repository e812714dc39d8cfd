"""Printing through a real CUPS queue whose device is a file; clear words for no printer, a disabled printer, a
jam; and nothing with personal data left in tmp, home or the CUPS spool afterwards."""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import pytest

from outreach.receipts.printing import problem_of
from outreach.services.receipts import ReceiptProblem
from tests.receipts.receipt_support import PERSON, cups_file_queue, pdf_text


@pytest.fixture
def queue():
    """A CUPS queue printing into a file."""
    with cups_file_queue() as made:
        yield made


def _files(root: Path) -> dict[Path, float]:
    found = {}
    for dirpath, _dirs, names in os.walk(root):
        for n in names:
            p = Path(dirpath) / n
            try:
                found[p] = p.stat().st_mtime
            except OSError:
                pass
    return found


def test_print_through_cups_leaves_nothing_behind(receipts, ctx, every_kind, queue, tmp_path):
    name, out = queue
    roots = [Path(tempfile.gettempdir()), Path.home()]
    before = {r: _files(r) for r in roots}
    ctx.settings = ctx.settings.model_copy(update={"printer": name})
    assert receipts.print(every_kind["card.apply"].op_id) == name
    for _ in range(100):
        if out.stat().st_size > 0:
            break
        time.sleep(0.1)
    assert PERSON in pdf_text(out.read_bytes())
    time.sleep(0.5)
    number = ctx.session.vault.get_person(every_kind["card.apply"].subject).document.number.encode()
    for root in roots:
        new = [p for p, m in _files(root).items() if before[root].get(p) != m and p != out
               and not p.is_relative_to(tmp_path)]
        for p in new:
            try:
                data = p.read_bytes()
            except OSError:
                continue
            assert b"%PDF" not in data[:1024] or PERSON.encode() not in data, p
            assert number not in data, p


def test_no_printer_and_unknown_printer_are_said(receipts, ctx, every_kind):
    op = every_kind["card.apply"].op_id
    for printer in (None, "no-such-printer-" + uuid.uuid4().hex[:6]):
        ctx.settings = ctx.settings.model_copy(update={"printer": printer})
        with pytest.raises(ReceiptProblem) as caught:
            receipts.print(op)
        assert "打印机" in caught.value.detail[0]
        assert "reprint" in caught.value.detail[1]


def test_disabled_printer_is_offline(receipts, ctx, every_kind, queue):
    name, out = queue
    subprocess.run(["cupsdisable", name], check=True)
    ctx.settings = ctx.settings.model_copy(update={"printer": name})
    with pytest.raises(ReceiptProblem) as caught:
        receipts.print(every_kind["card.apply"].op_id)
    assert "离线" in caught.value.detail[0]
    assert out.stat().st_size == 0


def test_jam_and_offline_alerts_from_lpstat():
    jam = "printer p is idle.  enabled since Wed\n\tAlerts: media-jam-error\n"
    empty = "printer p is idle.  enabled since Wed\n\tAlerts: media-empty-warning\n"
    off = "printer p disabled since Wed -\n\treason unknown\n"
    fine = "printer p is idle.  enabled since Wed\n\tAlerts: none\n"
    assert problem_of(jam).code == "printer_jammed"
    assert problem_of(empty).code == "printer_jammed"
    assert problem_of(off).code == "printer_offline"
    assert problem_of(fine) is None


def test_speech_from_the_same_text(receipts, every_kind, monkeypatch):
    from outreach.receipts.speech import speak

    text = receipts.receipt(every_kind["card.apply"].op_id).plain_text()
    assert speak(text[:80], "zh_CN", wav=True).startswith(b"RIFF")
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(ReceiptProblem) as caught:
        receipts.speak(every_kind["card.apply"].op_id)
    assert "espeak-ng" in caught.value.detail[0]
