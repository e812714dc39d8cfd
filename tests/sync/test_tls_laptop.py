"""A laptop enrolling and syncing with ``outreach center serve`` over TLS, the certificate and key from the
center's settings (OUTREACH_CENTER_TLS_*), the laptop trusting the center's certificate through SSL_CERT_FILE:
the people it pulls are on the wire, and no name or identity number is readable there (issue 9)."""

from __future__ import annotations

import datetime as dt
import os
import socket
import ssl
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from sync.center.settings import CenterSettings
from sync.center.sqlite_store import SqliteStore
from sync.client.client import enrol, sync_once
from sync.errors import SyncError
from tests.sync.test_tls_serve import _certificate

ROOT = Path(__file__).resolve().parents[2]


class Recorder:
    """A TCP relay on loopback keeping every byte that passes, both ways: what a tap on the path would see."""

    def __init__(self, port: int) -> None:
        self.target = port
        self.seen = bytearray()
        self._lock = threading.Lock()
        self.socks: list[socket.socket] = []
        self.pipes: list[threading.Thread] = []
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target))
            self.socks += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                t = threading.Thread(target=self._pipe, args=(a, b), daemon=True)
                self.pipes.append(t)
                t.start()

    def _pipe(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                with self._lock:
                    self.seen += data
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self) -> None:
        self.sock.close()
        for s in self.socks:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        for t in self.pipes:
            t.join(5)
        for s in self.socks:
            s.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_tls_comes_from_the_settings(monkeypatch, tmp_path):
    cert, key = _certificate(tmp_path)
    monkeypatch.setenv("OUTREACH_CENTER_TLS_CERT", str(cert))
    monkeypatch.setenv("OUTREACH_CENTER_TLS_KEY", str(key))
    monkeypatch.setenv("OUTREACH_CENTER_INSECURE_HTTP", "true")
    s = CenterSettings.from_arguments(tls_cert=None, tls_key=None, insecure_http=None)
    assert (s.tls_cert, s.tls_key, s.insecure_http) == (cert, key, True)
    monkeypatch.delenv("OUTREACH_CENTER_INSECURE_HTTP")
    assert CenterSettings().insecure_http is False


def test_a_laptop_syncs_over_tls_and_nothing_personal_is_readable_on_the_wire(tmp_path, make_vault, people,
                                                                              monkeypatch):
    cert, key = _certificate(tmp_path)
    db = tmp_path / "center.db"
    store = SqliteStore(db)
    store.init_schema()
    persons = [people.adult() for _ in range(5)]
    store.load_people([p.model_dump(mode="json") for p in persons], dt.datetime.now(dt.UTC))
    store.assign("w1", [p.person_id for p in persons], dt.datetime.now(dt.UTC))
    code = store.create_enrol_code("w1", "worker", None, dt.timedelta(hours=1))
    port = _free_port()
    env = {**os.environ, "OUTREACH_CENTER_TLS_CERT": str(cert), "OUTREACH_CENTER_TLS_KEY": str(key)}
    proc = subprocess.Popen([sys.executable, "-m", "outreach.cli.main", "center", "serve", "--db", str(db),
                             "--listen", f"127.0.0.1:{port}"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    tap = Recorder(port)
    trusted = ssl.create_default_context(cafile=str(cert))
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"https://127.0.0.1:{port}/v1/health", verify=trusted, timeout=1).raise_for_status()
                break
            except httpx.HTTPError:
                assert proc.poll() is None, "the center stopped"
                assert time.monotonic() < deadline, "center did not start over TLS"
                time.sleep(0.1)
        url = f"https://127.0.0.1:{tap.port}"
        v = make_vault("w1")
        with pytest.raises(SyncError) as untrusted:  # not trusted yet: the laptop refuses the unknown certificate
            enrol(v, url, code)
        assert untrusted.value.message_zh
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))
        enrol(v, url, code)
        assert sync_once(v, url).errors == []  # the plan's people come down
        people.apply(v, persons[0])  # and an application goes up
        s = sync_once(v, url)
        assert (s.errors, s.applied) == ([], 1), (s.errors, s.issues)
        assert all(v.get_person(p.person_id) is not None for p in persons)  # they did travel
    finally:
        proc.terminate()
        proc.wait(20)
        tap.close()
        store.close()
    wire = bytes(tap.seen)
    assert len(wire) > 5000
    assert b"HTTP/1.1" not in wire  # no plain HTTP at all
    for p in persons:
        assert p.name.encode() not in wire
        assert p.document.number.encode() not in wire
