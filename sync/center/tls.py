"""How ``outreach center serve`` listens: TLS from a certificate and key, plain HTTP only on a loopback address
or when asked for explicitly, and connection limits so that one client cannot hold the center.

:func:`server_options` turns settings into ``uvicorn.Config`` keyword arguments. :class:`GuardedH11Protocol`
is uvicorn's HTTP/1.1 protocol with two guards it lacks: at most :attr:`Limits.per_source` open connections
per source address (more are closed at once), and a header timeout (a connection that has not sent a whole
request head within :attr:`Limits.header_timeout_s` of opening, or of its previous answer, is closed). Slow
bodies are cut off by the app (``sync/center/app.py``); idle keep-alive connections by uvicorn.
"""

from __future__ import annotations

import asyncio
import ipaddress
import resource
import ssl
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

from sync.errors import ServeRefused


@dataclass(frozen=True)
class Limits:
    per_source: int = 64
    header_timeout_s: float = 10.0
    max_connections: int = 4000
    keep_alive_s: float = 5.0
    max_head_bytes: int = 16 * 1024


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def server_options(host: str, cert: str | None, key: str | None, insecure_http: bool = False,
                   limits: Limits = Limits()) -> dict[str, Any]:
    """``uvicorn.Config`` keyword arguments for listening on ``host``.

    Raises:
        ServeRefused: plain HTTP off loopback without ``insecure_http``; only one of cert and key; a
            certificate or key that cannot be loaded.
    """
    opts: dict[str, Any] = {"limit_concurrency": limits.max_connections, "timeout_keep_alive": limits.keep_alive_s,
                            "h11_max_incomplete_event_size": limits.max_head_bytes,
                            "http": guarded_protocol(limits)}
    if bool(cert) != bool(key):
        raise ServeRefused("tls", message_zh="需要同时给出 TLS 证书和私钥（--tls-cert 与 --tls-key）",
                           message_en="give both the TLS certificate and its key (--tls-cert and --tls-key)")
    if cert and key:
        try:
            ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(cert, key)
        except (OSError, ssl.SSLError):
            raise ServeRefused("tls", message_zh="无法读取 TLS 证书或私钥（路径、格式或二者不匹配）",
                               message_en="the TLS certificate or key cannot be loaded (path, format, or they do "
                                          "not match)") from None
        return {**opts, "ssl_certfile": str(Path(cert)), "ssl_keyfile": str(Path(key)),
                "ssl_version": ssl.PROTOCOL_TLS_SERVER}
    if not is_loopback(host) and not insecure_http:
        raise ServeRefused("plain http", message_zh="非本机地址上只能用 TLS 提供服务：请给出 --tls-cert 与 --tls-key"
                                                    "（或明确使用 --insecure-http）",
                           message_en="off loopback the center serves TLS only: give --tls-cert and --tls-key "
                                      "(or, explicitly, --insecure-http)")
    return opts


def raise_open_files() -> None:
    """Allow as many open files as the hard limit (each connection is one)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def guarded_protocol(limits: Limits) -> type[H11Protocol]:
    per_source: Counter[str] = Counter()

    class GuardedH11Protocol(H11Protocol):
        _source = ""
        _timer: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._source = self.client[0] if self.client else ""
            per_source[self._source] += 1
            if per_source[self._source] > limits.per_source:
                transport.abort()
                return
            self._arm()

        def _arm(self) -> None:
            self._disarm()
            self._timer = self.loop.call_later(limits.header_timeout_s, self._head_timeout, self.cycle)

        def _disarm(self) -> None:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None

        def _head_timeout(self, cycle: Any) -> None:
            if self.cycle is cycle and not self.transport.is_closing():  # no new request head since armed
                self.transport.abort()

        def data_received(self, data: bytes) -> None:
            before = self.cycle
            super().data_received(data)
            if self.cycle is not before:
                self._disarm()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing():
                self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            if self._source is not None:
                per_source[self._source] -= 1
                if per_source[self._source] <= 0:
                    del per_source[self._source]
                self._source = None  # type: ignore[assignment]
            super().connection_lost(exc)

    return GuardedH11Protocol
