"""An asyncio TCP proxy that rewrites the center's answers on the way (a man in the middle on plain HTTP).

One request per connection. The request's ``Accept-Encoding`` is dropped so the answer travels as plain JSON;
``tamper(path, body)`` returns the body to deliver instead (``Content-Length`` is fixed up).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable

from tests.sync.faultproxy import _read_http_message


def _split(message: bytes) -> tuple[list[bytes], bytes]:
    head, _, body = message.partition(b"\r\n\r\n")
    return head.split(b"\r\n"), body


def _join(lines: list[bytes], body: bytes) -> bytes:
    kept = [ln for ln in lines if not ln.lower().startswith((b"content-length:", b"connection:"))]
    return b"\r\n".join([*kept, b"content-length: " + str(len(body)).encode(), b"connection: close"]) \
        + b"\r\n\r\n" + body


class TamperProxy:
    def __init__(self, target_port: int, tamper: Callable[[str, bytes], bytes]) -> None:
        self.target_port, self.tamper = target_port, tamper
        self.tampered = 0
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> TamperProxy:
        self._thread.start()
        fut = asyncio.run_coroutine_threadsafe(asyncio.start_server(self._handle, "127.0.0.1", 0), self.loop)
        self._server = fut.result(10)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def __exit__(self, *exc: object) -> None:
        async def close() -> None:
            self._server.close()

        asyncio.run_coroutine_threadsafe(close(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        self.loop.close()

    async def _handle(self, creader: asyncio.StreamReader, cwriter: asyncio.StreamWriter) -> None:
        try:
            lines, body = _split(await _read_http_message(creader))
            path = lines[0].split(b" ")[1].decode()
            lines = [ln for ln in lines if not ln.lower().startswith(b"accept-encoding:")]
            sreader, swriter = await asyncio.open_connection("127.0.0.1", self.target_port)
            swriter.write(_join(lines, body))
            await swriter.drain()
            rlines, rbody = _split(await _read_http_message(sreader))
            swriter.close()
            await swriter.wait_closed()
            changed = self.tamper(path, rbody)
            if changed != rbody:
                self.tampered += 1
            cwriter.write(_join(rlines, changed))
            await cwriter.drain()
        except (OSError, asyncio.IncompleteReadError, ValueError):
            pass
        finally:
            with contextlib.suppress(Exception):
                cwriter.close()
