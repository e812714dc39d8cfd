"""In-process simulated readers: a :class:`~hardware.base.CardReader` for ``--demo`` and unit tests.

Example (demo mode holding a given person's card)::

    from hardware.simulator import SimulatedReader, build_profile
    reader = SimulatedReader.with_card(build_profile(name="王芳", ssn="460100199001010027", generation=3),
                                       psam=True)
    data = reader.read_card()
    reader.remove()                      # simulated removal, watchers see on_card_removed
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from typing import Any

from hardware.apdu import Transport
from hardware.base import CardReader, ReaderWatcher, RoleRules, WatchCallbacks
from hardware.errors import CardRemoved, NoCard, NoReader
from hardware.simulator.card import CardPulled, SimulatedCard, make_card
from hardware.simulator.profiles import Profile, load_profile

log = logging.getLogger("hardware.simulator")

USER_SLOT = "Simulated Reader 00"
PSAM_SLOT = "Simulated Reader PSAM 01"


class _SimTransport(Transport):
    def __init__(self, owner: SimulatedReader, reader_name: str, card: Any) -> None:
        self.owner = owner
        self.reader_name = reader_name
        self.card = card
        self._atr: bytes = card.atr

    @property
    def atr(self) -> bytes:
        return self._atr

    def transmit_raw(self, apdu: bytes) -> tuple[bytes, int]:
        card: Any = self.card
        if id(self.owner.slots.get(self.reader_name)) != id(card):
            raise CardRemoved(reader=self.reader_name)
        try:
            out: bytes = card.process(apdu)
        except CardPulled:
            self.owner.remove(self.reader_name)
            raise CardRemoved(reader=self.reader_name) from None
        return out[:-2], int.from_bytes(out[-2:], "big")

    def alive(self) -> bool:
        card: Any = self.card
        return id(self.owner.slots.get(self.reader_name)) == id(card) and not getattr(card, "pulled", False)

    def close(self) -> None:
        pass


class SimulatedReader(CardReader):
    """Simulated reader slots holding simulated cards; insert/remove/plug/unplug on demand (thread-safe)."""

    kind = "simulator"
    can_simulate = True

    def __init__(self, rules: RoleRules | None = None, *, readers: tuple[str, ...] = (USER_SLOT,)) -> None:
        super().__init__(rules)
        self.slots: dict[str, Any] = dict.fromkeys(readers)  # reader -> card object or None
        self._listeners: list[Callable[[str, str, bytes | None], None]] = []
        self._lock = threading.Lock()

    @classmethod
    def with_card(cls, profile: Profile | str, *, psam: bool | Profile = False) -> SimulatedReader:
        """A reader holding a card built from ``profile`` (a dict, or a shipped profile name / JSON path).

        Args:
            profile: Card profile (see :func:`hardware.simulator.build_profile`).
            psam: True to add a PSAM slot with the test PSAM, or a PSAM profile dict.
        """
        reader = cls(readers=(USER_SLOT, PSAM_SLOT) if psam else (USER_SLOT,))
        reader.insert(profile)
        if psam:
            reader.insert(psam if isinstance(psam, dict) else load_profile("psam"), PSAM_SLOT)
        return reader

    # -- simulation controls -------------------------------------------------------------------------

    def insert(self, profile: Profile | str | SimulatedCard, reader: str = USER_SLOT) -> Any:
        """Put a card (built from a profile, or a ready card object) into ``reader``; returns the card."""
        if isinstance(profile, str):
            profile = load_profile(profile)
        card = make_card(profile) if isinstance(profile, dict) else profile
        card.power_on()
        with self._lock:
            if reader not in self.slots:
                raise NoReader(reader, reader=reader)
            old = self.slots[reader]
            self.slots[reader] = card
        if old is not None:
            self._emit("removed", reader, None)
        self._emit("inserted", reader, card.atr)
        return card

    def remove(self, reader: str = USER_SLOT) -> None:
        """Take the card out of ``reader`` (no-op when empty)."""
        with self._lock:
            card = self.slots.get(reader)
            if card is None:
                return
            self.slots[reader] = None
        self._emit("removed", reader, None)

    def plug(self, reader: str) -> None:
        """Connect a new (empty) reader."""
        with self._lock:
            if reader in self.slots:
                return
            self.slots[reader] = None
        self._emit("reader_added", reader, None)

    def unplug(self, reader: str) -> None:
        """Disconnect a reader (its card goes with it)."""
        with self._lock:
            if reader not in self.slots:
                return
            card = self.slots.pop(reader)
        if card is not None:
            self._emit("removed", reader, None)
        self._emit("reader_removed", reader, None)

    def card(self, reader: str = USER_SLOT) -> Any:
        """The card object in ``reader`` (to inspect counters in tests)."""
        return self.slots.get(reader)

    def _emit(self, event: str, reader: str, atr: bytes | None) -> None:
        for listener in list(self._listeners):
            listener(event, reader, atr)

    # -- CardReader ---------------------------------------------------------------------------------

    def reader_names(self) -> list[str]:
        with self._lock:
            return list(self.slots)

    def connect(self, reader: str, *, transaction: bool = True) -> Transport:
        with self._lock:
            if reader not in self.slots:
                raise NoReader(reader, reader=reader)
            card = self.slots[reader]
        if card is None or getattr(card, "pulled", False):
            raise NoCard(reader=reader)
        return _SimTransport(self, reader, card)

    def watcher(self, callbacks: WatchCallbacks, *, poll_interval: float = 0.5) -> ReaderWatcher:
        return SimulatedWatcher(self, callbacks)


class SimulatedWatcher(ReaderWatcher):
    """Delivers the simulator's events on a background thread, like the PC/SC watcher."""

    def __init__(self, reader: SimulatedReader, callbacks: WatchCallbacks) -> None:
        super().__init__(callbacks)
        self.reader = reader
        self._queue: queue.Queue[tuple[str, str, bytes | None] | None] = queue.Queue()
        self._thread: threading.Thread | None = None

    def _listener(self, event: str, reader: str, atr: bytes | None) -> None:
        self._queue.put((event, reader, atr))

    def start(self) -> None:
        if self.running:
            return
        self.reader._listeners.append(self._listener)
        for name, card in self.reader.slots.copy().items():
            self._queue.put(("reader_added", name, None))
            if card is not None:
                self._queue.put(("inserted", name, card.atr))
        self._thread = threading.Thread(target=self._run, name="sim-reader-watcher", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        cb = self.callbacks
        while True:
            item = self._queue.get()
            if item is None:
                return
            event, reader, atr = item
            try:
                if event == "inserted" and cb.on_card_inserted:
                    cb.on_card_inserted(reader, atr or b"")
                elif event == "removed" and cb.on_card_removed:
                    cb.on_card_removed(reader)
                elif event == "reader_added" and cb.on_reader_added:
                    cb.on_reader_added(reader)
                elif event == "reader_removed" and cb.on_reader_removed:
                    cb.on_reader_removed(reader)
            except Exception:  # a callback's bug must not kill the watcher
                log.exception("watcher callback failed")

    def stop(self, timeout: float = 2.0) -> None:
        if self._listener in self.reader._listeners:
            self.reader._listeners.remove(self._listener)
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout)
            self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()
