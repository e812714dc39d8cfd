"""The card reader as the worker sees it: no reader / reader without card / card present, and whose card.

The hardware layer's watcher calls back on its own thread; :meth:`ReaderService.watch` passes a plain
callable down, which the UI turns into a message. :meth:`state` does the (blocking) reading: call it from a
worker thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from hardware.base import CardReader, ReaderWatcher, RoleRules, WatchCallbacks
from hardware.factory import open_reader
from hardware.model import CardData
from outreach.services.errors import ServiceError
from outreach.services.people import PeopleService
from outreach.services.session import VaultSession
from outreach.services.views import ReaderView

ReaderFactory = Callable[[], CardReader | None]
"""Returns a ``hardware.base.CardReader`` (real PC/SC or simulated), or None when there is none."""


def default_reader_factory(preferred: str | None = None) -> ReaderFactory:
    """The hardware factory: the real PC/SC readers when the service answers with at least one reader,
    else the in-process simulator (shown as "simulated" on screen), or None without a hardware layer.

    ``preferred``: the reader chosen in the settings; it is treated as the user-card slot.
    """

    def build() -> CardReader | None:
        rules = RoleRules(user_readers=(preferred,)) if preferred else None
        try:
            reader = open_reader("pcsc", rules=rules)
            if reader.reader_names():
                return reader
            reader.close()
        except Exception:  # no PC/SC service or no pyscard: fall back to the simulator
            pass
        try:
            return open_reader("simulator", rules=rules)
        except Exception:
            return None

    return build


class ReaderService:
    def __init__(self, session: VaultSession, people: PeopleService, factory: ReaderFactory | None) -> None:
        self._session = session
        self._people = people
        self._factory = factory
        self._reader: CardReader | None = None
        self._built = False
        self._lock = threading.Lock()
        self._watcher: ReaderWatcher | None = None
        self._last_atr: bytes | None = None
        self._last_view: ReaderView | None = None
        self._last_data: CardData | None = None

    def _get(self) -> CardReader | None:
        with self._lock:
            if not self._built:
                self._built = True
                self._reader = self._factory() if self._factory is not None else None
            return self._reader

    @property
    def backend(self) -> CardReader | None:
        """The hardware reader object (for the demo's simulated card); None when there is none."""
        return self._get()

    def state(self) -> ReaderView:
        """What is in the reader now (blocking: reads the card). Never raises."""
        reader = self._get()
        if reader is None:
            return ReaderView("unavailable")
        try:
            infos = [i for i in reader.list_readers() if i.role != "psam"]
        except Exception:  # the reader's own errors, and a PC/SC service that went away mid-call
            return ReaderView("no_reader")
        simulated = reader.kind == "simulator"
        if not infos:
            return ReaderView("no_reader")
        with_card = [i for i in infos if i.card_present]
        if not with_card:
            self._last_atr = None
            self._last_data = None
            return ReaderView("no_card", reader_name=infos[0].name, simulated=simulated)
        info = with_card[0]
        name = info.name
        atr = info.atr
        if atr is not None and atr == self._last_atr and self._last_view is not None:
            return self._last_view
        try:
            data = reader.read_card(name, bank=False)
        except Exception:  # removed mid-read, unreadable, the reader unplugged: say so, never crash
            return ReaderView("error", reader_name=name)
        card_number = data.card_number
        person_id = None
        person_name = data.name
        status = None
        try:
            person_id = self._people.find_by_card(card_number, data.ssn)
            if person_id is not None:
                person_name = self._people.person(person_id).name
                status = self._people.card_status(person_id, card_number)
        except ServiceError:
            person_id = None
        view = ReaderView("card", reader_name=name, person_id=person_id, person_name=person_name,
                          card_number=card_number, simulated=simulated, expires_on=data.expiry_date,
                          card_status=status)
        self._last_atr, self._last_view, self._last_data = atr, view, data
        return view

    def last_card(self) -> CardData | None:
        """The full data of the card :meth:`state` read last (``hardware.model.CardData``), or None when the
        reader is empty. In memory only: a bulk day's table checks the chip's social security number against
        the roster with it (the view carries no identity number)."""
        return self._last_data

    def watch(self, on_change: Callable[[], None]) -> None:
        """Call ``on_change`` (on the hardware thread) whenever a reader or card comes or goes."""
        reader = self._get()
        if reader is None or self._watcher is not None:
            return
        try:
            def changed(*_: object) -> None:
                on_change()

            callbacks = WatchCallbacks(on_reader_added=changed, on_reader_removed=changed,
                                       on_card_inserted=changed, on_card_removed=changed, on_service=changed)
            self._watcher = reader.watcher(callbacks, poll_interval=0.5)
            self._watcher.start()
        except Exception:
            self._watcher = None

    def close(self) -> None:
        watcher, self._watcher = self._watcher, None
        if watcher is not None:
            watcher.stop()
        reader = self._reader
        if reader is not None:
            try:
                reader.close()
            except Exception:
                pass
