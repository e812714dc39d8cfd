"""Support of the receipt tests (imported as ``receipts.receipt_support``): one operation of every receipt kind,
decided by the domain, and reading PDFs and QR codes back with poppler-utils and zbar-tools."""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from outreach.domain import (
    Agent,
    ApplicationForm,
    CardApply,
    CardBankActivate,
    CardCancel,
    CardDeliver,
    CardExchange,
    CardIssue,
    CardLiftTemporary,
    CardLossFormal,
    CardLossTemporary,
    CardRecall,
    CardReissue,
    CardReplace,
    CardReturnOld,
    CardSuspend,
    CardUnlock,
    IdentityDocument,
    PersonCards,
    RuleContext,
    Visit,
    decide,
)

#: The day the events take effect (the domain counts the deadlines from it).
DAY = dt.date(2026, 11, 27)
PERSON = "符亚明"
AGENT = Agent(name="符小明", document=IdentityDocument(doc_type="resident_id", number="460106198001011234"),
              relationship="儿子", proof="relationship_proof")


def record(vault: Any, pid: str, event: Any, day: dt.date = DAY) -> Any:
    """Decide ``event`` with the domain and append it as the services do; returns the operation."""
    state = vault.person_cards(pid) or PersonCards(person_id=pid, cards=[], version=0)
    decision = decide(state, event, RuleContext(today=day))
    assert decision.accepted, (event.kind, decision.refusal)
    payload = {"event": event.model_dump(mode="json"), "cards": decision.state.model_dump(mode="json"),
               "fee": decision.fee.model_dump(mode="json") if decision.fee else None}
    return vault.append(event.kind, pid, payload, base_version=vault.subject_version(pid))


def record_every_kind(vault: Any, pid: str) -> dict[str, Any]:
    """One operation of each receipt kind for ``pid`` (a person without a card): kind -> operation."""
    person = vault.get_person(pid)
    form = ApplicationForm(name=person.name, gender=person.gender, birth_date=person.birth_date,
                           ethnicity=person.ethnicity or "01", document=person.document, photo_ref="photo")
    later = DAY + dt.timedelta(days=16)  # the day after the 15th (Civil Code Art. 201)
    steps: list[tuple[Any, dt.date]] = [
        (CardApply(form=form), DAY),
        (CardIssue(card_number="H46010002", issued_on=DAY), DAY),
        (CardDeliver(), DAY),
        (CardBankActivate(), DAY),
        (CardLossTemporary(period="15d"), DAY),
        (CardLiftTemporary(), later),
        (CardLossTemporary(period="long"), DAY),
        (CardUnlock(), DAY),
        (CardLossFormal(), DAY),
        (CardReplace(), DAY),
        (CardIssue(card_number="H46010003", issued_on=DAY), DAY),
        (CardDeliver(), DAY),
        (CardExchange(reason=2), DAY),
        (CardIssue(card_number="H46010004", issued_on=DAY), DAY),
        (CardReturnOld(returned=True), DAY),  # Art. 25: handed in as the new card is collected
        (CardDeliver(), DAY),
        (CardReissue(changed=["name"], evidence="household_register", new_name="符亚民"), DAY),
        (CardIssue(card_number="H46010005", issued_on=DAY), DAY),
        (CardRecall(cause="uncollected"), DAY + dt.timedelta(days=181)),
        (CardSuspend(ground=2, department="海口市人力资源和社会保障局"), DAY),
        (CardCancel(agent=AGENT, deceased_on=DAY, proof="death_certificate"), DAY),
    ]
    ops: dict[str, Any] = {}
    for event, day in steps:
        op = record(vault, pid, event, day)
        ops.setdefault(event.kind, op)  # the first of each kind (e.g. the 15-day loss report)
    updated = person.model_copy(update={"occupation": "退休"})
    ops["person.update"] = vault.append("person.update", pid, {"person": updated.model_dump(mode="json")},
                                        base_version=vault.subject_version(pid))
    visit = Visit(visit_id=str(uuid.uuid4()), person_id=pid, worker_id=vault.worker_id, day=DAY,
                  outcome="done", present=["本人"], notes="", op_ids=[], planned=False)
    ops["visit.log"] = vault.append("visit.log", pid, {"visit": visit.model_dump(mode="json")},
                                    base_version=vault.subject_version(pid))
    return ops


def pdf_text(data: bytes, *, layout: bool = False) -> str:
    """``pdftotext`` of PDF bytes, read from stdin (poppler-utils)."""
    assert shutil.which("pdftotext"), "poppler-utils is missing: scripts/bootstrap.sh installs it"
    args = ["pdftotext", *(["-layout"] if layout else []), "-", "-"]
    return subprocess.run(args, input=data, capture_output=True, check=True).stdout.decode("utf-8")


def qr_codes(data: bytes, tmp_path: Path) -> list[str]:
    """The QR payloads of a PDF: rendered by pdftoppm, decoded by zbarimg (zbar-tools)."""
    assert shutil.which("pdftoppm"), "poppler-utils is missing: scripts/bootstrap.sh installs it"
    assert shutil.which("zbarimg"), "zbar-tools is missing: scripts/bootstrap.sh installs it"
    folder = tmp_path / f"qr-{uuid.uuid4().hex[:6]}"
    folder.mkdir()
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-", str(folder / "page")], input=data, check=True)
    found: list[str] = []
    for page in sorted(folder.glob("*.png")):
        out = subprocess.run(["zbarimg", "-q", "--raw", str(page)], capture_output=True, check=False)
        found += [line for line in out.stdout.decode("utf-8").splitlines() if line]
    return found


#: The PDF printer driver of Debian's cups-filters: the queue's file gets the PDF as sent.
PDF_PPD = "lsb/usr/cupsfilters/Generic-PDF_Printer-PDF.ppd"


@contextlib.contextmanager
def cups_file_queue() -> Iterator[tuple[str, Path]]:
    """A real CUPS queue printing into a file (cupsd writes only into a file that exists: it is made first);
    removed afterwards. Yields (queue name, the file). Its PDF driver lays the job on the media the job names
    (Letter by default, and it has no 80 mm roll size)."""
    assert shutil.which("lpadmin"), "cups is missing: scripts/bootstrap.sh installs it"
    running = subprocess.run(["lpstat", "-r"], capture_output=True, text=True, check=False).stdout
    assert "is running" in running, "cupsd is not running: run scripts/services.sh"
    out = Path(tempfile.mkdtemp(prefix="cups-out-")) / "printed.pdf"
    out.touch()
    out.chmod(0o666)
    name = f"receipt-test-{uuid.uuid4().hex[:8]}"
    subprocess.run(["lpadmin", "-p", name, "-E", "-v", f"file://{out}", "-m", PDF_PPD], check=True,
                   capture_output=True)
    try:
        yield name, out
    finally:
        subprocess.run(["lpadmin", "-x", name], check=False, capture_output=True)
        shutil.rmtree(out.parent, ignore_errors=True)


def printed(out: Path, timeout: float = 10.0) -> bytes:
    """What the file-backed queue received, once cupsd has written it (empty after ``timeout``)."""
    end = time.monotonic() + timeout
    while out.stat().st_size == 0 and time.monotonic() < end:
        time.sleep(0.1)
    time.sleep(0.2)  # the backend may still be writing the last bytes
    return out.read_bytes()
