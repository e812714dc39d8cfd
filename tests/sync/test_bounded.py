"""Bounded work before authentication, against a real uvicorn on loopback: the 2.8 kB zstd bomb inflating to
32 MB is refused before it is inflated, a slow body is cut off, with a health probe answered within 1 s
throughout; junk subjects of any length are never stored; area codes are never patterns."""

from __future__ import annotations

import datetime as dt
import json
import socket
import threading
import time

import httpx
import pytest
import zstandard

from sync import protocol as P
from sync.center.embedded import EmbeddedCenter
from sync.errors import InvalidInput
from tests.sync.test_security import _push_raw, _req

BOMB = zstandard.ZstdCompressor(level=19).compress(b'{"x":"' + b"a" * (32 * 1024 * 1024) + b'"}')


class Probe:
    """Asks /v1/health every 0.1 s in a thread; records the slowest answer."""

    def __init__(self, url: str) -> None:
        self.url, self.worst, self.failures = url, 0.0, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with httpx.Client(timeout=5) as c:
            while not self._stop.is_set():
                t = time.monotonic()
                try:
                    ok = c.get(self.url + "/v1/health").status_code == 200
                except httpx.HTTPError:
                    ok = False
                self.worst = max(self.worst, time.monotonic() - t)
                self.failures += not ok
                self._stop.wait(0.1)

    def __enter__(self) -> Probe:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(10)


def test_the_inflation_bomb_is_refused_before_inflating_with_health_answering(store):
    assert len(BOMB) < 4000
    with EmbeddedCenter(store=store) as center, Probe(center.url) as probe:
        def hit(path: str, results: list[int]) -> None:
            headers = {P.HDR_PROTOCOL: "1", "content-encoding": "zstd", "content-type": "application/json"}
            with httpx.Client(timeout=30) as c:
                results.append(c.post(center.url + path, content=BOMB, headers=headers).status_code)

        results: list[int] = []
        threads = [threading.Thread(target=hit, args=(path, results)) for path in ["/v1/enrol", "/v1/push"] * 4]
        t0 = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        took = time.monotonic() - t0
    assert sorted(results) == [401] * 4 + [413] * 4  # push: not signed; enrol: too large once inflated
    assert took < 5
    assert probe.failures == 0
    assert probe.worst < 1.0


def test_a_slow_body_is_cut_off(store):
    with EmbeddedCenter(store=store) as center:
        center.app.state.center.body_idle_s = 0.5
        host, port = center.url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=5) as s:
            s.sendall(b"POST /v1/enrol HTTP/1.1\r\nhost: x\r\nx-outreach-protocol: 1\r\n"
                      b"content-length: 1000\r\n\r\n{")
            t0 = time.monotonic()
            answer = s.recv(4096)
        assert answer.startswith(b"HTTP/1.1 408")
        assert time.monotonic() - t0 < 3


def test_junk_subjects_of_any_length_are_refused_and_not_stored(center, make_vault):
    v = make_vault()
    center.enrol(v)
    op = v.append("card.issue", "x" * 10_000, {"event": {"kind": "card.issue"}})
    before = center.store.status()
    r, _, _ = _push_raw(center, v, _req(v, [op]))
    assert r.status_code == 400
    assert r.json()["message_zh"]
    after = center.store.status()
    assert (after["devices"], after["checkpoint"]["tree_size"]) == (before["devices"], before["checkpoint"]["tree_size"])
    assert center.store.operations() == []


def test_an_area_is_never_a_pattern(center, people):
    p = people.person()
    center.store.load_people([p.model_dump(mode="json")], center.clock())
    for bad in ("%", "_", "46%", ""):
        with pytest.raises(InvalidInput):
            center.store.people_in_area(bad)
        with pytest.raises(InvalidInput):
            center.store.create_enrol_code("sup", "supervisor", bad or "4_", dt.timedelta(hours=1))
    assert center.store.people_in_area(p.area_code[:2]) == [p.person_id]
    assert json.dumps(center.store.people_in_area("99")) == "[]"


def test_the_bomb_with_forged_or_real_signature_headers_is_bounded_with_health_answering(store, make_vault):
    """Headers that look signed do not buy inflation: an unknown device and a wrong signature are refused
    before the body is inflated; an enrolled device's correctly signed bomb is inflated in a worker thread only
    up to the limit (413). Four of each at once, and the health probe answers within 1 s throughout."""
    from sync.client import trust
    from sync.client.client import enrol

    with EmbeddedCenter(store=store) as center:
        v = make_vault()
        enrol(v, center.url, store.create_enrol_code(v.worker_id, "worker", None, dt.timedelta(hours=1)))
        signer = trust.device_signer(v)

        def headers(kind: str) -> dict[str, str]:
            now = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")
            device = "no-such-device" if kind == "unknown" else v.device_id
            h = trust.signed_headers(signer, device, "POST", "/v1/push", BOMB, now)
            if kind == "bad_signature":
                h[P.HDR_SIGNATURE] = "00" * 64
            return {**h, "content-encoding": "zstd", "content-type": "application/json"}

        results: list[tuple[str, int]] = []

        def hit(kind: str) -> None:
            with httpx.Client(timeout=30) as c:
                r = c.post(center.url + "/v1/push", content=BOMB, headers=headers(kind))
                results.append((kind, r.status_code))

        with Probe(center.url) as probe:
            threads = [threading.Thread(target=hit, args=(k,)) for k in ("unknown", "bad_signature", "signed") * 4]
            for t in threads:
                t.start()
            for t in threads:
                t.join(60)
        size = store.status()["checkpoint"]["tree_size"]
    assert sorted(results) == sorted([("unknown", 401), ("bad_signature", 401), ("signed", 413)] * 4)
    assert probe.failures == 0
    assert probe.worst < 1.0
    assert (size, store.operations()) == (0, [])  # nothing of any of them was kept
