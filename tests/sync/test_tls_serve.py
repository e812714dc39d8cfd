"""``center serve`` over TLS (a certificate made here, verified by httpx), plain HTTP refused off loopback in
words, and ~1,000 slow connections from one source that never hold the center: a health probe from another
source is answered within 1 s throughout."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
import threading
import time

import httpx
import pytest
import uvicorn
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from outreach.cli.main import main
from sync.center import tls
from sync.center.app import create_app
from sync.center.embedded import EmbeddedCenter
from sync.errors import ServeRefused
from tests.sync.test_bounded import Probe


def _certificate(tmp_path):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "center.test")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = tmp_path / "center.pem", tmp_path / "center.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def test_the_center_serves_tls_that_a_client_verifies(store, tmp_path):
    cert, key = _certificate(tmp_path)
    opts = tls.server_options("127.0.0.1", str(cert), str(key))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(store), log_level="warning", lifespan="off", **opts))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        while not server.started:
            time.sleep(0.02)
        ctx = ssl.create_default_context(cafile=str(cert))
        with httpx.Client(verify=ctx) as c:
            assert c.get(f"https://127.0.0.1:{port}/v1/health").json()["ok"] is True
        with httpx.Client() as c, pytest.raises(httpx.ConnectError):  # an unknown certificate is refused
            c.get(f"https://127.0.0.1:{port}/v1/health")
        with socket.create_connection(("127.0.0.1", port)) as raw:  # no plain HTTP on the TLS port
            raw.sendall(b"GET /v1/health HTTP/1.1\r\nhost: x\r\n\r\n")
            raw.settimeout(5)
            assert b'"ok"' not in raw.recv(4096)
    finally:
        server.should_exit = True
        thread.join(10)


def test_plain_http_off_loopback_is_refused_in_words(tmp_path, capsys):
    with pytest.raises(ServeRefused) as refused:
        tls.server_options("0.0.0.0", None, None)
    assert "--tls-cert" in refused.value.message_en
    assert "TLS" in refused.value.message_zh
    assert tls.server_options("0.0.0.0", None, None, insecure_http=True)["limit_concurrency"] > 0
    assert "ssl_certfile" not in tls.server_options("127.0.0.1", None, None)
    cert, _ = _certificate(tmp_path)
    with pytest.raises(ServeRefused):
        tls.server_options("0.0.0.0", str(cert), None)  # a certificate without its key
    with pytest.raises(ServeRefused):
        tls.server_options("0.0.0.0", str(cert), str(cert))  # a key that is not one
    # refused before anything listens, so the port is never taken
    assert main(["center", "serve", "--db", str(tmp_path / "c.db"), "--listen", "0.0.0.0:8799"]) == 1
    assert "--insecure-http" in capsys.readouterr().err


@pytest.mark.slow
def test_a_thousand_slow_connections_do_not_hold_the_center(store):
    limits = tls.Limits(per_source=64, header_timeout_s=2.0)
    with EmbeddedCenter(store=store, limits=limits) as center, Probe(center.url) as probe:
        port = center.port
        socks = []
        t0 = time.monotonic()
        for i in range(1000):  # one attacker, another address of the loopback net
            s = socket.socket()
            s.bind(("127.0.0.2", 0))
            s.setblocking(False)
            try:
                s.connect(("127.0.0.1", port))
            except BlockingIOError:
                pass
            socks.append(s)
            if i % 50 == 0:
                time.sleep(0.01)
        time.sleep(0.5)
        for s in socks:  # a request head that never ends
            try:
                s.send(b"POST /v1/push HTTP/1.1\r\nhost: x\r\n")
            except OSError:
                pass
        time.sleep(limits.header_timeout_s + 2)
        closed = 0
        for s in socks:
            try:
                closed += s.recv(1) == b""
            except BlockingIOError:
                pass
            except OSError:
                closed += 1
            s.close()
        took = time.monotonic() - t0
    assert closed == 1000  # each one refused at once or cut off at the header timeout
    assert probe.failures == 0
    assert probe.worst < 1.0
    assert took < 20
