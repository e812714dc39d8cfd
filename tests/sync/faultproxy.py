"""An asyncio TCP proxy between the sync client and the center that misbehaves on purpose, or emulates a link.

Faults (chosen per connection from a seeded RNG): cut the connection at a random byte offset in either
direction, add delay, answer ``500`` without reaching the center, or deliver the request to the center twice.
Link emulation: a bandwidth limit (bit/s) and a round-trip time, both directions; counts bytes on the wire.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import threading
import time
from dataclasses import dataclass


@dataclass
class Faults:
    cut: float = 0.0  # probability a connection is cut at a random byte offset
    error500: float = 0.0  # probability the proxy answers 500 itself
    duplicate: float = 0.0  # probability the request reaches the center twice
    delay: float = 0.0  # max extra delay (s) per connection
    rate_bps: float | None = None  # link rate, bit/s (each direction)
    rtt: float = 0.0  # round-trip time, s


async def _read_http_message(reader: asyncio.StreamReader) -> bytes:
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    body = await reader.readexactly(length) if length else b""
    return head + body


class _Pipe:
    """One direction of a link: serialisation at ``rate`` plus one-way delay ``rtt/2``, pipelined (bytes in
    flight do not wait for each other's latency, as on a real link)."""

    def __init__(self, writer: asyncio.StreamWriter, faults: Faults, proxy: FaultProxy, up: bool) -> None:
        self.writer, self.faults, self.proxy, self.up = writer, faults, proxy, up
        self.tx_end = 0.0
        self.queue: asyncio.Queue[tuple[float, bytes] | None] = asyncio.Queue()
        self.task = asyncio.ensure_future(self._deliver())

    async def send(self, data: bytes) -> None:
        f = self.faults
        now = time.monotonic()
        self.tx_end = max(now, self.tx_end) + (len(data) * 8 / f.rate_bps if f.rate_bps else 0.0)
        await self.queue.put((self.tx_end + f.rtt / 2, data))
        # back-pressure: do not read further ahead than what the link has serialised
        if self.tx_end - now > 0.05:
            await asyncio.sleep(self.tx_end - now - 0.05)

    async def _deliver(self) -> None:
        while True:
            item = await self.queue.get()
            if item is None:
                return
            at, data = item
            wait = at - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            self.writer.write(data)
            await self.writer.drain()
            self.proxy.count(self.up, len(data))

    async def flush(self) -> None:
        await self.queue.put(None)
        await self.task


class FaultProxy:
    def __init__(self, target_port: int, faults: Faults | None = None, *, seed: int = 0,
                 target_host: str = "127.0.0.1") -> None:
        self.target = (target_host, target_port)
        self.faults = faults or Faults()
        self.rng = random.Random(seed)
        self.bytes_up = self.bytes_down = self.connections = 0
        self.injected: dict[str, int] = {"cut": 0, "error500": 0, "duplicate": 0}
        self._lock = threading.Lock()
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.port = 0
        self._writers: set[asyncio.StreamWriter] = set()

    def count(self, up: bool, n: int) -> None:
        with self._lock:
            if up:
                self.bytes_up += n
            else:
                self.bytes_down += n

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FaultProxy:
        self._thread.start()
        fut = asyncio.run_coroutine_threadsafe(asyncio.start_server(self._handle, "127.0.0.1", 0), self.loop)
        self._server = fut.result(10)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def stop(self) -> None:
        async def close() -> None:
            self._server.close()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            for w in list(self._writers):
                w.close()
            await asyncio.sleep(0.05)  # let the transports finish closing before the loop goes away

        asyncio.run_coroutine_threadsafe(close(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        self.loop.close()

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _choose(self) -> tuple[str, float, int]:
        f, r = self.faults, self.rng
        delay = r.random() * f.delay
        roll = r.random()
        if roll < f.error500:
            return "error500", delay, 0
        if roll < f.error500 + f.duplicate:
            return "duplicate", delay, 0
        if roll < f.error500 + f.duplicate + f.cut:
            return "cut", delay, r.randrange(1, 6000) * (1 if r.random() < 0.5 else -1)
        return "clean", delay, 0

    async def _handle(self, creader: asyncio.StreamReader, cwriter: asyncio.StreamWriter) -> None:
        self._writers.add(cwriter)
        with self._lock:
            self.connections += 1
        f = self.faults
        try:
            if not (f.cut or f.error500 or f.duplicate or f.delay):
                await self._relay(creader, cwriter, 0)  # link emulation only: stream both ways
            else:
                await self._one_request(creader, cwriter)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError,
                asyncio.CancelledError):
            pass
        finally:
            with contextlib.suppress(Exception):
                cwriter.close()
                await cwriter.wait_closed()
            self._writers.discard(cwriter)

    async def _one_request(self, creader: asyncio.StreamReader, cwriter: asyncio.StreamWriter) -> None:
        """One request per client connection, so every request gets its own fault draw."""
        request = await _read_http_message(creader)
        with self._lock:
            mode, delay, offset = self._choose()
            if mode != "clean":
                self.injected[mode] += 1
        if delay:
            await asyncio.sleep(delay)
        if mode == "error500":
            body = b'{"code":"proxy","message_zh":"\xe6\x95\x85\xe9\x9a\x9c","message_en":"injected"}'
            cwriter.write(b"HTTP/1.1 500 Internal Server Error\r\ncontent-type: application/json\r\n"
                          b"connection: close\r\ncontent-length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
            await cwriter.drain()
            return
        copies = 2 if mode == "duplicate" else 1
        for attempt in range(copies):
            sreader, swriter = await asyncio.open_connection(*self.target)
            self._writers.add(swriter)
            try:
                if offset > 0:  # cut while sending the request: the center gets a partial request
                    swriter.write(request[: offset % max(1, len(request))])
                    await swriter.drain()
                    self.count(True, offset % max(1, len(request)))
                    return
                swriter.write(request)
                await swriter.drain()
                self.count(True, len(request))
                response = await _read_http_message(sreader)
            finally:
                swriter.close()
                self._writers.discard(swriter)
            if attempt == 0:
                response = response.replace(b"\r\n", b"\r\nconnection: close\r\n", 1)
                if offset < 0:  # cut while answering: the center did the work, the client never hears
                    response = response[: (-offset) % len(response)]
                cwriter.write(response)
                await cwriter.drain()
                self.count(False, len(response))

    async def _relay(self, creader: asyncio.StreamReader, cwriter: asyncio.StreamWriter, offset: int) -> None:
        sreader, swriter = await asyncio.open_connection(*self.target)
        self._writers.add(swriter)
        up_left = offset if offset > 0 else None
        down_left = -offset if offset < 0 else None

        async def pump(reader: asyncio.StreamReader, pipe: _Pipe, left: int | None) -> None:
            try:
                while True:
                    data = await reader.read(16384)
                    if not data:
                        break
                    if left is not None:
                        if len(data) >= left:
                            await pipe.send(data[:left])
                            raise ConnectionResetError("injected cut")
                        left -= len(data)
                    await pipe.send(data)
            finally:
                await pipe.flush()

        up = asyncio.ensure_future(pump(creader, _Pipe(swriter, self.faults, self, True), up_left))
        down = asyncio.ensure_future(pump(sreader, _Pipe(cwriter, self.faults, self, False), down_left))
        try:
            await asyncio.wait({up, down}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for t in (up, down):
                t.cancel()
            await asyncio.gather(up, down, return_exceptions=True)
            with contextlib.suppress(Exception):
                swriter.close()
            self._writers.discard(swriter)
