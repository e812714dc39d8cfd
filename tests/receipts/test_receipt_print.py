"""Printing through a real CUPS queue whose device is a file; clear words for no printer, a disabled printer, a
jam; and nothing with personal data left in tmp, home or the CUPS spool afterwards."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import pytest

from outreach.receipts.printing import problem_of
from outreach.services.receipts import ReceiptProblem
from tests.receipts.receipt_support import PERSON, cups_file_queue, pdf_text, printed


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


def test_print_through_cups_leaves_nothing_behind(receipts, ctx, every_kind, queue, tmp_path_factory):
    name, out = queue
    # pytest's own folders hold the tests' fixtures (vaults, other tests' center databases with the seeded
    # names, written as their threads wind down); printing never writes there, so they are not scanned
    fixtures = tmp_path_factory.getbasetemp().parent
    spool = Path("/var/spool/cups")  # the queue's own copies (PreserveJobFiles No: gone once printed)
    roots = [Path(tempfile.gettempdir()), Path.home(), *([spool] if os.access(spool, os.R_OK | os.X_OK) else [])]
    before = {r: _files(r) for r in roots}
    ctx.settings = ctx.settings.model_copy(update={"printer": name})
    assert receipts.print(every_kind["card.apply"].op_id) == name
    for _ in range(100):
        if out.stat().st_size > 0:
            break
        time.sleep(0.1)
    assert PERSON in pdf_text(out.read_bytes())  # what the scan below would find in a PDF left behind
    time.sleep(0.5)
    number = ctx.session.vault.get_person(every_kind["card.apply"].subject).document.number.encode()
    for root in roots:
        new = [p for p, m in _files(root).items() if before[root].get(p) != m and p != out
               and not p.is_relative_to(fixtures)]
        for p in new:
            try:
                data = p.read_bytes()
            except OSError:
                continue
            if data.startswith(b"%PDF"):  # the name sits in compressed, font-encoded streams: read it back
                assert PERSON not in pdf_text(data), p
            assert PERSON.encode() not in data, p
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
    """As ``lpstat -l -p`` words them (C locale): a stopped printer is jammed or offline by its reasons; an
    enabled printer's reasons count only once a job waits on it (CUPS keeps a cleared jam listed until then)."""
    stopped_jam = "printer p disabled since Wed -\n\tmedia jam\n\tAlerts: media-jam-error paused\n"
    stopped_empty = "printer p disabled since Wed -\n\tAlerts: media-empty-warning,paused\n"
    off = "printer p disabled since Wed -\n\treason unknown\n\tAlerts: paused\n"
    cleared = "printer p is idle.  enabled since Wed\n\tAlerts: media-jam-error\n"
    reporting = "printer p is idle.  enabled since Wed\n\tAlerts: offline-report\n"
    fine = "printer p is idle.  enabled since Wed\n\tAlerts: none\n"
    assert problem_of(stopped_jam).code == "printer_jammed"
    assert problem_of(stopped_empty).code == "printer_jammed"
    assert problem_of(off).code == "printer_offline"
    assert problem_of(cleared) is None  # resumed after the jam was cleared: CUPS tries the job
    assert problem_of(cleared, enabled_too=True).code == "printer_jammed"  # a job still waits on it
    assert problem_of(reporting, enabled_too=True) is None  # a capability, not a state
    assert problem_of(fine, enabled_too=True) is None


ESPEAK = shutil.which("espeak-ng")
needs_espeak = pytest.mark.skipif(ESPEAK is None, reason="espeak-ng is not installed (scripts/bootstrap.sh installs it)")


def _no_sound_card() -> bool:
    cards = Path("/proc/asound/cards")
    return not cards.exists() or "no soundcards" in cards.read_text(encoding="utf-8", errors="replace")


@needs_espeak
def test_speech_reads_the_whole_receipt_in_mandarin_from_the_printed_words(receipts, every_kind):
    from outreach.receipts.speech import VOICES, speak

    voices = subprocess.run(["espeak-ng", f"--voices={VOICES['zh_CN']}"], capture_output=True, text=True).stdout
    assert "Mandarin" in voices  # espeak-ng's cmn voice
    op = every_kind["card.apply"].op_id
    receipt = receipts.receipt(op)
    printed_words = re.sub(r"\s+", "", pdf_text(receipts.pdf(op)))
    for line in receipt.plain_text().splitlines():  # the spoken text is the printed text, line by line
        assert re.sub(r"\s+", "", line) in printed_words, line
    wav = speak(receipt.plain_text(), "zh_CN", wav=True)
    assert wav.startswith(b"RIFF")
    rate = int.from_bytes(wav[24:28], "little")
    seconds = (len(wav) - 44) / (rate * 2)  # 16-bit mono
    assert seconds > 30  # all of it read out, not a word or two


@needs_espeak
@pytest.mark.skipif(not _no_sound_card(), reason="this machine has a sound card: the receipt would be spoken")
def test_no_sound_device_is_said_clearly(receipts, every_kind):
    with pytest.raises(ReceiptProblem) as caught:
        receipts.speak(every_kind["card.apply"].op_id)
    assert "声音设备" in caught.value.detail[0]
    assert "sound device" in caught.value.detail[1]


def test_no_speech_engine_is_said_clearly(receipts, every_kind, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(ReceiptProblem) as caught:
        receipts.speak(every_kind["card.apply"].op_id)
    assert "espeak-ng" in caught.value.detail[0]


JAM_BACKEND = Path("/usr/lib/cups/backend/outreach-test-jam")


@pytest.fixture
def jamming_queue(queue):
    """The queue of ``queue``, its device swapped for a printer that jams on every job (the test backend
    scripts/services.sh installs: it reports media-jam-error and stops the queue, as a real driver does)."""
    if not JAM_BACKEND.exists():
        pytest.skip("the outreach-test-jam CUPS backend is not installed: run scripts/services.sh")
    name, out = queue
    subprocess.run(["lpadmin", "-p", name, "-v", "outreach-test-jam:/"], check=True, capture_output=True)
    return name, out


def test_a_jam_on_this_receipt_is_said_the_job_cancelled_and_the_receipt_reprinted(receipts, ctx, every_kind,
                                                                                   jamming_queue):
    name, out = jamming_queue
    op = every_kind["card.apply"].op_id
    ctx.settings = ctx.settings.model_copy(update={"printer": name})
    with pytest.raises(ReceiptProblem) as caught:
        receipts.print(op)  # lp accepts the job; the printer jams on it
    assert "卡纸" in caught.value.detail[0]
    assert "jammed" in caught.value.detail[1]
    queued = subprocess.run(["lpstat", "-o", name], capture_output=True, text=True).stdout
    assert queued.strip() == ""  # cancelled: no spool copy with the person's data waits to come out unseen
    with pytest.raises(ReceiptProblem) as again:  # still jammed: said before anything is sent
        receipts.print(op)
    assert "卡纸" in again.value.detail[0]
    assert op in [c.op_id for c in receipts.choices(every_kind["card.apply"].subject)]  # kept for reprinting

    # the worker clears the jam (here: the device becomes the file again) and resumes the printer
    subprocess.run(["lpadmin", "-p", name, "-v", f"file://{out}"], check=True, capture_output=True)
    subprocess.run(["cupsenable", name], check=True)
    assert receipts.print(op) == name
    assert PERSON in pdf_text(printed(out))


def test_a_printer_waiting_jammed_on_the_job_is_said_after_the_follow(queue):
    """The queue stays enabled while the printer waits for the jam to be cleared: after following the job for
    a while the jam is said and the job cancelled (no spool copy left waiting)."""
    from outreach.receipts.errors import PrinterJammed
    from outreach.receipts.printing import PrintCommands, print_pdf

    if not JAM_BACKEND.exists():
        pytest.skip("the outreach-test-jam CUPS backend is not installed: run scripts/services.sh")
    name, _out = queue
    subprocess.run(["lpadmin", "-p", name, "-v", "outreach-test-jam:/hold"], check=True, capture_output=True)
    with pytest.raises(PrinterJammed):
        print_pdf(b"%PDF-1.4\n% no personal data\n", name, commands=PrintCommands(follow=4.0))
    assert subprocess.run(["lpstat", "-o", name], capture_output=True, text=True).stdout.strip() == ""
    state = subprocess.run(["lpstat", "-p", name], capture_output=True, text=True, env={"LC_ALL": "C",
                           "PATH": os.environ["PATH"]}).stdout
    assert "enabled" in state  # it never stopped: only following the job could tell
