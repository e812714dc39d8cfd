"""PC/SC backend (pyscard, low-level ``smartcard.scard`` API): readers, connections and a watcher thread.

The context is re-established whenever pcscd reports it gone (restart, ``SCARD_E_NO_SERVICE``,
``SCARD_E_INVALID_HANDLE`` ...), so a long-running app survives a pcscd restart and reader re-plugging.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from smartcard import scard as sc

from hardware.apdu import Transport
from hardware.base import CardReader, ReaderWatcher, RoleRules, WatchCallbacks
from hardware.errors import (
    CardRemoved,
    HardwareError,
    NoCard,
    NoReader,
    ReaderBusy,
    ReaderServiceUnavailable,
)

log = logging.getLogger("hardware.pcsc")

_SERVICE = {
    sc.SCARD_E_NO_SERVICE,
    sc.SCARD_E_SERVICE_STOPPED,
    sc.SCARD_E_INVALID_HANDLE,
    getattr(sc, "SCARD_E_SYSTEM_CANCELLED", sc.SCARD_E_SERVICE_STOPPED),
    sc.SCARD_F_COMM_ERROR,
    sc.SCARD_F_INTERNAL_ERROR,
}
_NO_CARD = {
    sc.SCARD_E_NO_SMARTCARD,
    sc.SCARD_W_REMOVED_CARD,
    sc.SCARD_W_UNRESPONSIVE_CARD,
    sc.SCARD_W_UNPOWERED_CARD,
    getattr(sc, "SCARD_W_UNSUPPORTED_CARD", sc.SCARD_W_UNRESPONSIVE_CARD),
}
_NO_READER = {sc.SCARD_E_UNKNOWN_READER, sc.SCARD_E_READER_UNAVAILABLE}
_REMOVED_MID_READ = (
    _NO_CARD | _NO_READER | {sc.SCARD_E_NOT_TRANSACTED, getattr(sc, "SCARD_E_COMM_DATA_LOST", -1)}
)
PNP = "\\\\?PnP?\\Notification"


def _hr_text(hr: int) -> str:
    try:
        return str(sc.SCardGetErrorMessage(hr))
    except Exception:  # pragma: no cover - message lookup must never fail the caller
        return f"0x{hr & 0xFFFFFFFF:08X}"


class PcscTransport(Transport):
    """A shared connection to one card."""

    def __init__(self, hcard: Any, protocol: int, reader_name: str, atr: bytes) -> None:
        self.hcard = hcard
        self.protocol = protocol
        self.reader_name = reader_name
        self._atr = atr
        self._pci = sc.SCARD_PCI_T0 if protocol == sc.SCARD_PROTOCOL_T0 else sc.SCARD_PCI_T1
        self._closed = False

    @property
    def atr(self) -> bytes:
        return self._atr

    def transmit_raw(self, apdu: bytes) -> tuple[bytes, int]:
        hr, response = sc.SCardTransmit(self.hcard, self._pci, list(apdu))
        if hr != sc.SCARD_S_SUCCESS:
            if hr in _REMOVED_MID_READ:
                raise CardRemoved(_hr_text(hr), reader=self.reader_name)
            if hr == sc.SCARD_W_RESET_CARD or hr == sc.SCARD_E_SHARING_VIOLATION:
                raise ReaderBusy(_hr_text(hr), reader=self.reader_name)
            if hr in _SERVICE:
                raise ReaderServiceUnavailable(_hr_text(hr), reader=self.reader_name)
            raise CardRemoved(_hr_text(hr), reader=self.reader_name)
        if len(response) < 2:
            raise CardRemoved("short response", reader=self.reader_name)
        return bytes(response[:-2]), (response[-2] << 8) | response[-1]

    def alive(self) -> bool:
        if self._closed:
            return False
        hr = sc.SCardStatus(self.hcard)[0]  # fails with SCARD_W_REMOVED_CARD once the card was pulled
        return bool(hr == sc.SCARD_S_SUCCESS)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            sc.SCardDisconnect(self.hcard, sc.SCARD_LEAVE_CARD)  # also ends the transaction
        except Exception:  # pragma: no cover - never raise from close
            log.debug("disconnect failed", exc_info=True)


class _Context:
    """A PC/SC context that re-establishes itself after pcscd goes away."""

    def __init__(self) -> None:
        self.handle: Any = None
        self.lock = threading.RLock()

    def get(self) -> Any:
        with self.lock:
            if self.handle is None:
                hr, ctx = sc.SCardEstablishContext(sc.SCARD_SCOPE_USER)
                if hr != sc.SCARD_S_SUCCESS:
                    raise ReaderServiceUnavailable(_hr_text(hr))
                self.handle = ctx
            return self.handle

    def reset(self) -> None:
        with self.lock:
            if self.handle is not None:
                try:
                    sc.SCardReleaseContext(self.handle)
                except Exception:  # pragma: no cover
                    pass
                self.handle = None

    def list_readers(self) -> list[str]:
        for attempt in (1, 2):
            ctx = self.get()
            hr, names = sc.SCardListReaders(ctx, [])
            if hr == sc.SCARD_S_SUCCESS:
                return list(names)
            if hr == sc.SCARD_E_NO_READERS_AVAILABLE:
                return []
            self.reset()
            if attempt == 2:
                raise ReaderServiceUnavailable(_hr_text(hr))
        return []  # pragma: no cover


class PcscReader(CardReader):
    """Real readers through PC/SC."""

    kind = "pcsc"

    def __init__(self, rules: RoleRules | None = None) -> None:
        super().__init__(rules)
        self._ctx = _Context()

    def reader_names(self) -> list[str]:
        return self._ctx.list_readers()

    def connect(self, reader: str, *, transaction: bool = True) -> Transport:
        for attempt in (1, 2):
            ctx = self._ctx.get()
            hr, hcard, protocol = sc.SCardConnect(
                ctx, reader, sc.SCARD_SHARE_SHARED, sc.SCARD_PROTOCOL_T0 | sc.SCARD_PROTOCOL_T1
            )
            if hr == sc.SCARD_S_SUCCESS:
                break
            if hr in _NO_CARD:
                raise NoCard(_hr_text(hr), reader=reader)
            if hr == sc.SCARD_E_SHARING_VIOLATION:
                raise ReaderBusy(_hr_text(hr), reader=reader)
            if hr in _NO_READER:
                raise NoReader(_hr_text(hr), reader=reader)
            self._ctx.reset()
            if attempt == 2:
                raise ReaderServiceUnavailable(_hr_text(hr), reader=reader)
        hr, _name, _state, _proto, atr = sc.SCardStatus(hcard)
        if hr != sc.SCARD_S_SUCCESS:
            sc.SCardDisconnect(hcard, sc.SCARD_LEAVE_CARD)
            raise NoCard(_hr_text(hr), reader=reader)
        if transaction:
            sc.SCardBeginTransaction(hcard)  # keep other programs out for the duration of a read
        return PcscTransport(hcard, protocol, reader, bytes(atr))

    def watcher(self, callbacks: WatchCallbacks, *, poll_interval: float = 0.5) -> ReaderWatcher:
        return PcscWatcher(callbacks, poll_interval=poll_interval)

    def close(self) -> None:
        super().close()
        self._ctx.reset()


class PcscWatcher(ReaderWatcher):
    """Background thread around ``SCardGetStatusChange``; survives pcscd restarts and reader unplugging."""

    def __init__(self, callbacks: WatchCallbacks, *, poll_interval: float = 0.5) -> None:
        super().__init__(callbacks)
        self.poll_interval = poll_interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.readers: dict[str, bytes | None] = {}  # reader -> ATR of the present card (None: empty)
        self.service_ok: bool | None = None

    def start(self) -> None:
        if self.running:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="pcsc-watcher", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _call(self, name: str, *args: Any) -> None:
        fn = getattr(self.callbacks, name)
        if fn is None:
            return
        try:
            fn(*args)
        except Exception:
            log.exception("watcher callback %s failed", name)

    def _set_service(self, error: HardwareError | None) -> None:
        ok = error is None
        if self.service_ok is ok:
            return
        if self.service_ok is not None or not ok:
            self._call("on_service", error)
        self.service_ok = ok

    def _update(self, name: str, atr: bytes | None) -> None:
        old = self.readers.get(name)
        if old == atr:
            return
        if old is not None:
            self._call("on_card_removed", name)
        self.readers[name] = atr
        if atr is not None:
            self._call("on_card_inserted", name, atr)

    def _drop_all(self) -> None:
        for name in list(self.readers):
            self._update(name, None)
            del self.readers[name]
            self._call("on_reader_removed", name)

    def _run(self) -> None:
        ctx = _Context()
        backoff = self.poll_interval
        while not self._stop.is_set():
            try:
                self._loop(ctx)
                backoff = self.poll_interval
            except HardwareError as exc:
                ctx.reset()
                self._drop_all()
                self._set_service(exc)
                self._stop.wait(backoff)
                backoff = min(backoff * 2, 2.0)
            except Exception:  # never die
                log.exception("pcsc watcher error")
                ctx.reset()
                self._stop.wait(1.0)
        ctx.reset()

    def _loop(self, ctx: _Context) -> None:
        names = ctx.list_readers()
        self._set_service(None)
        for name in [n for n in self.readers if n not in names]:
            self._update(name, None)
            del self.readers[name]
            self._call("on_reader_removed", name)
        for name in names:
            if name not in self.readers:
                self.readers[name] = None
                self._call("on_reader_added", name)
        states: list[tuple[Any, ...]] = [(n, sc.SCARD_STATE_UNAWARE) for n in names]
        states.append((PNP, len(names) << 16))
        while not self._stop.is_set():
            hr, result = sc.SCardGetStatusChange(ctx.get(), int(self.poll_interval * 1000), states)
            if hr == sc.SCARD_E_TIMEOUT:
                return  # re-list readers now and then
            if hr != sc.SCARD_S_SUCCESS:
                if hr in _SERVICE or hr == sc.SCARD_E_INVALID_HANDLE:
                    raise ReaderServiceUnavailable(_hr_text(hr))
                return
            new_states: list[tuple[Any, ...]] = []
            for reader, event, atr in result:
                if reader == PNP:
                    if event & sc.SCARD_STATE_CHANGED:
                        return  # a reader came or went: re-list
                    new_states.append((reader, event & ~sc.SCARD_STATE_CHANGED))
                    continue
                if event & (sc.SCARD_STATE_UNKNOWN | sc.SCARD_STATE_UNAVAILABLE | sc.SCARD_STATE_IGNORE):
                    return
                present = bool(event & sc.SCARD_STATE_PRESENT) and not event & sc.SCARD_STATE_MUTE
                self._update(reader, bytes(atr) if present else None)
                new_states.append((reader, event & ~sc.SCARD_STATE_CHANGED))
            states = new_states
