"""A vpicc client: serves a simulated card to pcscd through vsmartcard's vpcd (reference §8.1).

vpcd listens on 127.0.0.1:35963 (slot 0, reader "Virtual PCD 00 00") and 35964 (slot 1). Framing both ways:
2-byte big-endian length, then the bytes. One byte from vpcd is a control code: 00 power off, 01 power on,
02 reset, 04 send ATR (we answer with the ATR). Anything else is an APDU; we answer data ∥ SW.
Closing the socket = removing the card. If vpcd/pcscd goes away the client reconnects (unless stopped).
"""

from __future__ import annotations

import logging
import socket
import struct
import threading
from typing import Any

from hardware.simulator.card import CardPulled

log = logging.getLogger("hardware.simulator.vpicc")

DEFAULT_HOST = "127.0.0.1"
SLOT_PORTS = {0: 35963, 1: 35964}


_QUICKACK = getattr(socket, "TCP_QUICKACK", None)


def _recv_exact(sock: socket.socket, n: int) -> bytes | None:
    buf = b""
    while len(buf) < n:
        if _QUICKACK is not None:  # vpcd writes length and body separately: ACK at once, or Nagle adds 40 ms
            sock.setsockopt(socket.IPPROTO_TCP, _QUICKACK, 1)
        chunk = sock.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


class VpiccClient:
    """Connect ``card`` (a SimulatedCard/SimulatedPsam) to vpcd and answer until :meth:`stop` or removal.

    Args:
        card: Object with ``atr``, ``power_on()`` and ``process(apdu) -> bytes``.
        port: vpcd port (35963 slot 0, 35964 slot 1).
        reconnect: Reconnect when the connection drops (pcscd restart). A pulled card never reconnects.
    """

    def __init__(
        self, card: Any, *, host: str = DEFAULT_HOST, port: int = SLOT_PORTS[0], reconnect: bool = True
    ) -> None:
        self.card = card
        self.host = host
        self.port = port
        self.reconnect = reconnect
        self._stop = threading.Event()
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self.connected = threading.Event()
        self.removed = threading.Event()
        self.apdus = 0

    # -- lifecycle ------------------------------------------------------------------------------------

    def start(self) -> VpiccClient:
        """Run in a daemon thread; returns self."""
        self._thread = threading.Thread(target=self.run, name=f"vpicc-{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 2.0) -> None:
        """Remove the card (close the socket) and stop."""
        self._stop.set()
        self._close()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def remove(self) -> None:
        """Simulate pulling the card: close the socket and do not reconnect."""
        self.removed.set()
        self.stop()

    def _close(self) -> None:
        sock, self._sock = self._sock, None
        self.connected.clear()
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()

    def run(self) -> None:
        """Blocking loop: connect, serve, reconnect with back-off."""
        delay = 0.2
        while not self._stop.is_set():
            try:
                sock = socket.create_connection((self.host, self.port), timeout=2.0)
            except OSError:
                self._stop.wait(delay)
                delay = min(delay * 2, 2.0)
                continue
            delay = 0.2
            sock.settimeout(None)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._sock = sock
            self.connected.set()
            try:
                self._serve(sock)
            except CardPulled:
                log.info("card pulled on port %d", self.port)
                self.removed.set()
                self._stop.set()
            except OSError:
                pass
            self._close()
            if not self.reconnect:
                break
            self._stop.wait(0.2)

    def _serve(self, sock: socket.socket) -> None:
        while not self._stop.is_set():
            head = _recv_exact(sock, 2)
            if head is None:
                return
            (n,) = struct.unpack(">H", head)
            msg = _recv_exact(sock, n)
            if msg is None:
                return
            if n == 1:
                code = msg[0]
                if code in (0x01, 0x02):
                    self.card.power_on()
                elif code == 0x04:
                    sock.sendall(struct.pack(">H", len(self.card.atr)) + self.card.atr)
                continue
            self.apdus += 1
            try:
                out: bytes = self.card.process(msg)
            except CardPulled:
                raise
            except Exception:  # a simulator bug must not look like a removed card
                log.exception("simulated card failed on %s", msg[:4].hex())
                out = b"\x6f\x00"
            sock.sendall(struct.pack(">H", len(out)) + out)
