"""The receipt the person keeps (Art. 38): build, print, save, read aloud, reprint and verify.

A receipt is never stored: it is rebuilt from its operation in the vault whenever it is wanted, so a
failed print loses nothing and any earlier receipt can be reprinted from the person's history. The PDF
lives in memory and goes to the printer through ``lp``'s standard input, or to the one path the worker
chose. The QR code is signed by the device key, which never leaves the vault.

Errors of the receipts package reach the UI as :class:`ReceiptProblem` (key ``receipt.ui.failed`` with the
lower layer's Chinese and English words as detail).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from outreach.domain.operation import Operation
from outreach.services.errors import NotFound, ServiceError
from outreach.services.session import VaultSession
from outreach.settings import Settings

if TYPE_CHECKING:
    from outreach.receipts.content import Receipt
    from outreach.receipts.errors import ReceiptError
    from outreach.receipts.verify import Verdict


class ReceiptProblem(ServiceError):
    """Printing, saving, reading aloud or rendering failed; ``detail`` says why in both languages."""

    key = "receipt.ui.failed"


@dataclass(frozen=True)
class ReceiptChoice:
    """One earlier operation of a person that has a receipt (for reprinting)."""

    op_id: str
    kind: str
    when: str


def _problem(exc: ReceiptError) -> ReceiptProblem:
    return ReceiptProblem(detail=(exc.message_zh, exc.message_en))


class ReceiptService:
    def __init__(self, session: VaultSession, settings: Callable[[], Settings]) -> None:
        self._session = session
        self._settings = settings

    # --- building -----------------------------------------------------------------------------
    def _operation(self, op_id: str) -> Operation:
        op = self._session.vault.operations_by_id([op_id]).get(op_id)
        if op is None:
            raise NotFound()
        return op

    def receipt(self, op_id: str, lang: str | None = None) -> Receipt:
        """The :class:`~outreach.receipts.content.Receipt` of one operation, signed by this device.

        Raises:
            NotFound: no such operation in the vault.
            ReceiptProblem: the operation has no receipt.
        """
        from outreach.receipts import code as codes
        from outreach.receipts.content import build_receipt, operation_day
        from outreach.receipts.errors import ReceiptError

        vault = self._session.vault
        op = self._operation(op_id)
        day = operation_day(op.hlc)
        signed = codes.ReceiptCode(
            op_id=op.op_id, device_id=op.device_id, kind=op.kind, day=day, op_hash=op.hash,
            signature=vault.sign(codes.statement(op.op_id, op.device_id, op.kind, day, op.hash)),
        )
        try:
            return build_receipt(
                op, vault.get_person(op.subject), lang=lang or self._settings().language,
                short_code=codes.short_code(op.op_id, op.hash), qr_payload=codes.qr_payload(signed),
            )
        except ReceiptError as exc:
            raise _problem(exc) from exc

    def pdf(self, op_id: str, lang: str | None = None, paper: str | None = None) -> bytes:
        """The receipt as PDF bytes, in memory (paper from the settings unless given)."""
        from outreach.receipts.errors import ReceiptError
        from outreach.receipts.pdf import render

        receipt = self.receipt(op_id, lang)
        try:
            return render(receipt, paper or self._settings().receipt_paper)  # type: ignore[arg-type]
        except ReceiptError as exc:
            raise _problem(exc) from exc

    # --- giving it to the person --------------------------------------------------------------
    def print(self, op_id: str, lang: str | None = None) -> str:
        """Print on the printer of the settings; returns the printer's name.

        Raises:
            ReceiptProblem: no printer, CUPS down, printer offline or jammed (the receipt can be reprinted).
        """
        from outreach.receipts.errors import ReceiptError
        from outreach.receipts.printing import MEDIA, print_pdf

        settings = self._settings()
        data = self.pdf(op_id, lang, settings.receipt_paper)
        printer = settings.printer
        try:
            print_pdf(data, printer, title=f"outreach-receipt-{op_id[:8]}", media=MEDIA.get(settings.receipt_paper))
        except ReceiptError as exc:
            raise _problem(exc) from exc
        return str(printer)

    def save(self, op_id: str, path: str | Path, lang: str | None = None) -> Path:
        """Write the PDF to the one file the worker chose (mode 600), nowhere else.

        Raises:
            ReceiptProblem: not a ``.pdf`` path in an existing folder, or the folder refuses the file.
        """
        from outreach.receipts.errors import SaveFailed

        target = Path(os.path.expanduser(str(path).strip()))
        if target.suffix.lower() != ".pdf" or not target.parent.is_dir() or target.is_dir():
            raise _problem(SaveFailed())
        data = self.pdf(op_id, lang)
        try:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as out:
                out.write(data)
        except OSError as exc:
            raise _problem(SaveFailed(type(exc).__name__)) from exc
        return target

    def speak(self, op_id: str, lang: str | None = None) -> None:
        """Read the receipt aloud in its language (espeak-ng).

        Raises:
            ReceiptProblem: no speech engine, or no sound device.
        """
        from outreach.receipts.errors import ReceiptError
        from outreach.receipts.speech import speak

        receipt = self.receipt(op_id, lang)
        try:
            speak(receipt.plain_text(), receipt.lang)
        except ReceiptError as exc:
            raise _problem(exc) from exc

    # --- reprint and verify -------------------------------------------------------------------
    def choices(self, person_id: str, limit: int = 30) -> list[ReceiptChoice]:
        """The person's operations on this laptop that have a receipt, newest first."""
        from outreach.receipts.content import RECEIPT_KINDS, when_text

        ops = [op for op in self._session.vault.operations(subject=person_id) if op.kind in RECEIPT_KINDS]
        return [ReceiptChoice(op.op_id, op.kind, when_text(op.hlc)) for op in reversed(ops[-limit:])]

    def verify(self, text: str) -> Verdict:
        """Check a receipt code against this laptop: its own device key, its own operations and the center's
        decisions as recorded at the last sync."""
        from outreach.receipts.local import verify_on_laptop

        return verify_on_laptop(self._session.vault, text)

    def enrolled(self) -> bool:
        """Whether this laptop is enrolled with a center (so it can ask the center about a receipt)."""
        from sync.client.trust import META_SIGN_KEY, META_URL

        vault = self._session.vault
        return bool(vault.get_meta(META_URL) and vault.get_meta(META_SIGN_KEY))

    def verify_with_center(self, text: str) -> Verdict:
        """Check a receipt code with the center, from this enrolled laptop: the center knows every device's key
        (a receipt another laptop printed) and says whether it has the operation and what it decided.

        Raises:
            ReceiptProblem: not enrolled, or the center cannot be reached or refuses this laptop (the detail
                says which, in both languages).
        """
        from outreach.receipts.center import verify_with_center
        from sync.client.client import receipt_lookup
        from sync.errors import SyncError

        vault = self._session.vault
        url = self._settings().center_url

        def ask(prefix: str, key_of: str | None) -> tuple[list[dict[str, object]], bytes | None]:
            answer = receipt_lookup(vault, prefix, key_of, url=url)
            try:
                key = bytes.fromhex(answer.device_key) if answer.device_key else None
            except ValueError:
                key = None
            return [r.model_dump() for r in answer.operations], key

        try:
            return verify_with_center(text, ask)
        except SyncError as exc:
            raise ReceiptProblem(detail=(exc.message_zh, exc.message_en)) from exc
