"""The reader interfaces: :class:`CardReader` (a set of card slots) and :class:`ReaderWatcher`.

Two implementations: :mod:`hardware.pcsc` (pyscard) and :mod:`hardware.simulator.inprocess`.
Pick one with :func:`hardware.factory.open_reader`. Watcher callbacks are plain callables called on a
background thread; a UI turns them into its own messages.
"""

from __future__ import annotations

import re
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from hardware.apdu import Transport
from hardware.errors import HardwareError
from hardware.model import ReaderRole

if TYPE_CHECKING:
    from hardware.model import CardData


@dataclass(frozen=True, slots=True)
class ReaderInfo:
    """One reader slot as seen now."""

    name: str
    role: ReaderRole
    card_present: bool
    atr: bytes | None = None


#: APDU used to probe for a PSAM: READ BINARY of the terminal-number file (SFI 0x16), 6 bytes.
#: A PSAM answers 9000 with its 6-byte terminal id; a user card answers 6A82/6986/6981 (no counter touched).
PSAM_PROBE_APDU = bytes.fromhex("00B0960006")


@dataclass(frozen=True, slots=True)
class RoleRules:
    """How to tell a PSAM slot from a user-card slot. Checked in this order:

    1. ``psam_readers`` / ``user_readers``: exact reader names from configuration.
    2. ``psam_name_pattern``: regex on the reader name (multi-slot readers call the slot "SAM"/"PSAM").
    3. ``psam_atr_prefixes`` / ``user_atr_prefixes``: hex ATR prefixes known to belong to PSAMs / user cards.
    4. ``probe``: send :data:`PSAM_PROBE_APDU`; 9000 with 6 bytes means PSAM. Read-only, touches no counter.
    Anything else is a user card.
    """

    psam_readers: tuple[str, ...] = ()
    user_readers: tuple[str, ...] = ()
    psam_name_pattern: str = r"(?i)(\bP?SAM\b|SAM\s*slot)"
    psam_atr_prefixes: tuple[str, ...] = ()
    user_atr_prefixes: tuple[str, ...] = ()
    probe: bool = True

    def role_by_name(self, name: str) -> ReaderRole:
        if name in self.psam_readers:
            return ReaderRole.PSAM
        if name in self.user_readers:
            return ReaderRole.USER
        if self.psam_name_pattern and re.search(self.psam_name_pattern, name):
            return ReaderRole.PSAM
        return ReaderRole.UNKNOWN

    def role_by_atr(self, atr: bytes) -> ReaderRole:
        hexatr = atr.hex().upper()
        if any(hexatr.startswith(p.replace(" ", "").upper()) for p in self.psam_atr_prefixes):
            return ReaderRole.PSAM
        if any(hexatr.startswith(p.replace(" ", "").upper()) for p in self.user_atr_prefixes):
            return ReaderRole.USER
        return ReaderRole.UNKNOWN


@dataclass(slots=True)
class WatchCallbacks:
    """Plain callables a watcher calls on its own thread. Any may be None. Exceptions they raise are logged
    and swallowed (the watcher thread never dies)."""

    on_reader_added: Callable[[str], None] | None = None
    on_reader_removed: Callable[[str], None] | None = None
    on_card_inserted: Callable[[str, bytes], None] | None = None
    on_card_removed: Callable[[str], None] | None = None
    #: Called when the service is lost (with the error) and again when it is back (with None).
    on_service: Callable[[HardwareError | None], None] | None = None
    extra: dict[str, object] = field(default_factory=dict)


class ReaderWatcher(ABC):
    """Watches readers and cards come and go on a background thread."""

    def __init__(self, callbacks: WatchCallbacks) -> None:
        self.callbacks = callbacks

    @abstractmethod
    def start(self) -> None:
        """Start the background thread (idempotent). Current readers/cards are reported as added/inserted.

        Raises:
            Nothing: a missing service is reported through ``on_service`` and retried.
        """

    @abstractmethod
    def stop(self, timeout: float = 2.0) -> None:
        """Stop the thread and wait up to ``timeout`` seconds. Never raises."""

    @property
    @abstractmethod
    def running(self) -> bool:
        """True while the background thread is alive."""

    def __enter__(self) -> ReaderWatcher:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class CardReader(ABC):
    """A set of reader slots (PC/SC readers or simulated ones) that can be listed, connected and watched."""

    #: "pcsc" or "simulator".
    kind: str = "abstract"
    #: True when the backend can simulate card insertion/removal (the simulator).
    can_simulate: bool = False

    def __init__(self, rules: RoleRules | None = None) -> None:
        self.rules = rules or RoleRules()
        #: PSAM kept connected between reads: (reader name, transport, Psam). See hardware.reading.
        self.psam_session: tuple[str, Transport, Any] | None = None
        self.read_lock = threading.Lock()
        #: (card-ID code, PSAM terminal id) pairs whose external authentication the card refused: never
        #: retried (each refusal costs one of the card's tries). Clear it to allow a deliberate retry.
        self.refused_auth: dict[tuple[str, str], Any] = {}

    @abstractmethod
    def reader_names(self) -> list[str]:
        """Names of the connected readers.

        Returns:
            Reader names (possibly empty).

        Raises:
            ReaderServiceUnavailable: the PC/SC service is not running.
        """

    @abstractmethod
    def connect(self, reader: str, *, transaction: bool = True) -> Transport:
        """Connect (shared) to the card in ``reader``.

        Args:
            reader: A name from :meth:`reader_names`.
            transaction: Hold a PC/SC transaction (other programs wait) until the transport is closed.

        Returns:
            A :class:`Transport`; close it when done.

        Raises:
            NoReader: the reader is not present.
            NoCard: the reader is empty or the card does not answer.
            ReaderBusy: another program holds the card exclusively.
            ReaderServiceUnavailable: the PC/SC service is not running.
        """

    @abstractmethod
    def watcher(self, callbacks: WatchCallbacks, *, poll_interval: float = 0.5) -> ReaderWatcher:
        """A (not yet started) watcher over this backend's readers.

        Args:
            callbacks: What to call on changes.
            poll_interval: Upper bound between checks, in seconds.

        Returns:
            A :class:`ReaderWatcher`; call ``start()``.
        """

    def close(self) -> None:
        """Release backend resources (the kept PSAM connection). Never raises."""
        session, self.psam_session = self.psam_session, None
        if session is not None:
            session[1].close()

    # -- concrete helpers ---------------------------------------------------------------------------

    def classify(self, reader: str, transport: Transport | None = None) -> ReaderRole:
        """Role of a slot by :class:`RoleRules` (may send the read-only PSAM probe).

        Args:
            reader: Reader name.
            transport: An open connection to the card in it, for ATR/probe checks; None = name only.

        Returns:
            ``PSAM`` or ``USER`` (``UNKNOWN`` only when there is no card to look at).
        """
        role = self.rules.role_by_name(reader)
        if role is not ReaderRole.UNKNOWN or transport is None:
            return role
        role = self.rules.role_by_atr(transport.atr)
        if role is not ReaderRole.UNKNOWN:
            return role
        if self.rules.probe:
            data, sw = transport.transmit_raw(PSAM_PROBE_APDU)
            if sw == 0x9000 and len(data) == 6:
                return ReaderRole.PSAM
        return ReaderRole.USER

    def list_readers(self) -> list[ReaderInfo]:
        """Readers with their role and card presence (connects briefly to each card to classify it).

        Raises:
            ReaderServiceUnavailable: the PC/SC service is not running.
        """
        from hardware.errors import CardError, ReaderError

        out = []
        for name in self.reader_names():
            try:
                transport = self.connect(name)
            except (CardError, ReaderError):
                out.append(ReaderInfo(name, self.rules.role_by_name(name), False))
                continue
            try:
                out.append(ReaderInfo(name, self.classify(name, transport), True, transport.atr))
            except HardwareError:
                out.append(ReaderInfo(name, ReaderRole.UNKNOWN, True, transport.atr))
            finally:
                transport.close()
        return out

    def read_card(
        self,
        reader: str | None = None,
        *,
        psam: str | Literal["auto"] | None = "auto",
        personal: bool = True,
        bank: bool = True,
    ) -> CardData:
        """Read the card in ``reader`` (default: the first user-card slot holding a card).

        Args:
            reader: Reader name, or None to pick automatically.
            psam: PSAM reader name, ``"auto"`` to look for one, or None to never use a PSAM.
            personal: Read EF06 (personal data) where allowed.
            bank: Read the UnionPay PAN.

        Returns:
            A validated :class:`~hardware.model.CardData`.

        Raises:
            NoReader, NoCard, CardRemoved, NotSocialSecurityCard, CardLocked, ReaderBusy,
            ReaderServiceUnavailable, UnreadableData, PsamError: see :mod:`hardware.errors`.
        """
        from hardware.reading import read_card

        with self.read_lock:
            return read_card(self, reader, psam=psam, personal=personal, bank=bank)
