"""A center in a background thread on a free loopback port: the app's demo mode and the tests."""

from __future__ import annotations

import datetime as dt
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

import uvicorn

from sync.center import tls
from sync.center.app import create_app
from sync.center.factory import open_store
from sync.center.store import Store


class EmbeddedCenter:
    """Start with :meth:`start` (returns the URL), stop with :meth:`stop`; also a context manager.

    Args:
        db: the store's database address (:func:`sync.center.factory.open_store`: a SQLite file path,
            ``sqlite:...`` or ``postgresql://...``); ignored when ``store`` is given.
        store: an existing store (e.g. PostgreSQL) to serve instead.
        clock: injectable clock (tests move time).
    """

    def __init__(self, db: Path | str | None = None, *, store: Store | None = None,
                 clock: Callable[[], dt.datetime] | None = None, host: str = "127.0.0.1", port: int = 0,
                 limits: tls.Limits | None = None) -> None:
        if store is None:
            if db is None:
                raise ValueError("db or store is required")
            store = open_store(db, migrate=False)  # start() migrates
        self.store = store
        self.clock = clock
        self.host, self.port = host, port
        self.limits = limits or tls.Limits()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.url = ""

    def start(self) -> str:
        self.store.init_schema()
        self.store.center_keys()
        app = create_app(self.store, self.clock)
        self.app = app
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        self.port = sock.getsockname()[1]
        opts = tls.server_options(self.host, None, None, limits=self.limits)  # loopback: plain HTTP, guarded
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off", **opts)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, daemon=True,
                                        name="embedded-center")
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("embedded center did not start")
            time.sleep(0.02)
        self.url = f"http://{self.host}:{self.port}"
        return self.url

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._server = self._thread = None

    def __enter__(self) -> EmbeddedCenter:
        self.start()
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()
