"""Every refusal: unauthenticated, revoked, forged, altered, replayed, impersonating, oversized, malformed,
nested, tampered files and a rewritten center log. Each is refused and changes nothing at the center."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3

import httpx
import psycopg
import pytest
import zstandard

from outreach.domain.operation import compute_hash
from sync import protocol as P
from sync import transfer
from sync.center.pg_store import PgStore
from sync.center.rules import center_day
from sync.center.sqlite_store import SqliteStore
from sync.center.store import Store
from sync.client import trust
from sync.client.client import sync_once
from sync.errors import AuthRefused, LogRewritten, TransferFileInvalid
from tests.sync.conftest import Center


def _push_raw(center, vault, body_obj, *, device=None, signer=None, encode=True, headers=None, path="/v1/push"):
    raw = json.dumps(body_obj).encode() if not isinstance(body_obj, bytes) else body_obj
    body = zstandard.ZstdCompressor().compress(raw) if encode else raw
    now = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")
    h = trust.signed_headers(signer or trust.device_signer(vault), device or vault.device_id, "POST", path, body, now)
    if encode:
        h["content-encoding"] = "zstd"
    h.update(headers or {})
    with httpx.Client(transport=center.transport, base_url=center.url) as c:
        return c.post(path, content=body, headers=h), h, body


def _state(center):
    st = center.store.status()
    return st["devices"], st["checkpoint"]["tree_size"]


def _req(vault, ops):
    return {"protocol_version": P.PROTOCOL_VERSION, "device_id": vault.device_id, "known_tree_size": 0,
            "operations": [o.model_dump(mode="json") for o in ops]}


def test_unenrolled_device_refused(center, make_vault, people):
    v = make_vault()
    op = people.register(v, people.person())
    before = _state(center)
    r, _, _ = _push_raw(center, v, _req(v, [op]))
    assert r.status_code == 401
    assert r.json()["code"] == "not_enrolled"
    assert r.json()["message_zh"]
    assert r.json()["message_en"]
    assert _state(center) == before


def test_revoked_device_refused_at_once(center, make_vault, people):
    v = make_vault()
    center.enrol(v)
    people.register(v, people.person())
    assert center.store.revoke(v.device_id, center.clock())
    before = _state(center)
    with pytest.raises(AuthRefused):
        sync_once(v, center.url, transport=center.transport)
    assert _state(center) == before
    assert len(v.pending_operations()) == 1


def test_forged_and_altered_operations_rejected(center, make_vault, people):
    v, other = make_vault("w1"), make_vault("w1", name="thief")
    center.enrol(v)
    op = people.register(v, people.person())
    # altered after signing: payload changed, hash no longer matches
    altered = op.model_copy(update={"payload": {**op.payload, "person": {**op.payload["person"], "name": "改名"}}})
    # forged: re-hashed and signed by another key
    fields = altered.signed_fields()
    forged_hash = compute_hash(fields)
    forged = altered.model_copy(update={"hash": forged_hash,
                                        "signature": other._signer.sign(bytes.fromhex(forged_hash)).hex()})
    before = _state(center)
    for bad in (altered, forged):
        r, _, _ = _push_raw(center, v, _req(v, [bad]))
        assert r.status_code == 200
        (res,) = r.json()["results"]
        assert res["status"] == "rejected"
        assert res["code"] == "bad_signature"
    assert _state(center) == before
    # the genuine one still goes through afterwards
    assert sync_once(v, center.url, transport=center.transport).applied == 1


def test_bad_request_signature_refused(center, make_vault, people):
    v, other = make_vault("w1"), make_vault("w1", name="other")
    center.enrol(v)
    op = people.register(v, people.person())
    before = _state(center)
    r, _, _ = _push_raw(center, v, _req(v, [op]), signer=trust.device_signer(other))
    assert r.status_code == 401
    assert r.json()["code"] == "bad_signature"
    assert _state(center) == before


def test_replayed_request_refused(center, make_vault, people):
    v = make_vault()
    center.enrol(v)
    op = people.register(v, people.person())
    r, headers, body = _push_raw(center, v, _req(v, [op]))
    assert r.status_code == 200
    before = _state(center)
    with httpx.Client(transport=center.transport, base_url=center.url) as c:
        again = c.post("/v1/push", content=body, headers=headers)
    assert again.status_code == 401
    assert again.json()["code"] == "replayed_request"
    assert _state(center) == before


def test_worker_cannot_push_as_another_worker(center, make_vault, people):
    alice, bob = make_vault("alice"), make_vault("bob")
    center.enrol(alice)
    center.enrol(bob)
    bob_op = people.register(bob, people.person())
    before = _state(center)
    # alice's device relays bob's (genuinely signed) operation
    r, _, _ = _push_raw(center, alice, {**_req(alice, [bob_op])})
    assert r.json()["results"][0]["code"] == "not_your_operation"
    # alice's device claims to be bob's device
    r, _, _ = _push_raw(center, alice, _req(bob, [bob_op]), device=bob.device_id)
    assert r.status_code == 401
    assert _state(center) == before


@pytest.mark.parametrize("case", ["oversized", "bomb", "malformed", "nested", "not_zstd", "schema"])
def test_hostile_bodies_refused(center, make_vault, case, monkeypatch):
    v = make_vault()
    center.enrol(v)
    before = _state(center)
    if case == "oversized":
        monkeypatch.setattr(P, "MAX_BODY", 1000)
        r, _, _ = _push_raw(center, v, b"x" * 5000, encode=False)
        assert r.status_code == 413
    elif case == "bomb":
        r, _, _ = _push_raw(center, v, b"[" + b" " * (P.MAX_INFLATED + 10) + b"]")
        assert r.status_code == 413
    elif case == "malformed":
        r, _, _ = _push_raw(center, v, b'{"protocol_version": 1, "device_id": ')
        assert r.status_code == 400
    elif case == "nested":
        r, _, _ = _push_raw(center, v, b'{"protocol_version": 1, "x": ' + b"[" * 100000 + b"]" * 100000 + b"}")
        assert r.status_code == 400
    elif case == "not_zstd":
        r, _, _ = _push_raw(center, v, b"garbage", encode=False, headers={"content-encoding": "zstd"})
        assert r.status_code == 400
    else:
        r, _, _ = _push_raw(center, v, {"protocol_version": 1, "device_id": v.device_id, "operations": [{"op": 1}]})
        assert r.status_code == 400
    body = r.json()
    assert body["message_zh"]
    assert body["message_en"]
    assert _state(center) == before


def test_usb_transfer_roundtrip_twice_and_tampering(center, make_vault, people, tmp_path):
    v = make_vault()
    center.enrol(v)
    for _ in range(3):
        people.register(v, people.person())
    data, n = transfer.export_file(v)
    assert n == 3
    now = center.clock()
    # tampered files: one byte of ciphertext, the device id, the signature
    doc = json.loads(data)
    ct = bytearray(doc["ciphertext"].encode())
    ct[10] = ord("A") if ct[10] != ord("A") else ord("B")
    for bad in ({**doc, "ciphertext": ct.decode()}, {**doc, "created_at": "2020-01-01T00:00:00+00:00"},
                {**doc, "signature": "00" * 64}, {"format": "x"}):
        with pytest.raises(TransferFileInvalid):
            transfer.import_file(center.store, json.dumps(bad).encode(), center_day(now), now)
    with pytest.raises(TransferFileInvalid):
        transfer.import_file(center.store, b"\x00not json", center_day(now), now)
    assert _state(center)[1] == 0
    reply = transfer.import_file(center.store, data, center_day(now), now)
    size = _state(center)[1]
    reply2 = transfer.import_file(center.store, data, center_day(now), now)  # the same file twice: nothing changes
    assert _state(center)[1] == size
    assert json.loads(reply2)["response"]["statuses"] == "ddd"
    tampered = json.loads(reply)
    tampered["response"]["statuses"] = "rdd"
    with pytest.raises(TransferFileInvalid):
        transfer.import_reply(v, json.dumps(tampered).encode())
    assert len(v.pending_operations()) == 3
    s = transfer.import_reply(v, reply)
    assert s.applied == 3
    assert v.pending_operations() == []
    s2 = transfer.import_reply(v, reply)  # twice: nothing left to clear
    assert s2.pushed == 0
    transfer.import_reply(v, reply2)


def _operator_rewrites_a_log_entry(store) -> None:
    """The center's operator, with their own database connection (not the center's), changes entry 0 and
    drops the stored subtree hashes over it (sync/center/merkle_log.py), which the center then rebuilds from
    the rewritten leaves: the log as a whole is rewritten."""
    if isinstance(store, SqliteStore):
        con = sqlite3.connect(store.path)
        with con:
            con.execute("UPDATE merkle SET leaf = ? WHERE idx = 0", ("ab" * 32,))
            con.execute("DELETE FROM merkle_nodes")
        con.close()
    else:
        assert isinstance(store, PgStore)
        with psycopg.connect(store.url, autocommit=True) as pg:
            pg.execute(f'UPDATE "{store.schema}".merkle SET leaf = %s WHERE idx = 0', ("ab" * 32,))
            pg.execute(f'DELETE FROM "{store.schema}".merkle_nodes')


def _restarted(store) -> Store:
    """A new center process over the same database."""
    if isinstance(store, SqliteStore):
        return SqliteStore(store.path)
    assert isinstance(store, PgStore)
    return PgStore(store.url, schema=store.schema)


def test_client_refuses_a_center_whose_log_was_rewritten(center, make_vault, people, store):
    v = make_vault()
    center.enrol(v)
    people.register(v, people.person())
    people.register(v, people.person())
    sync_once(v, center.url, transport=center.transport)
    _operator_rewrites_a_log_entry(store)
    rewritten = Center(_restarted(store))
    try:
        people.register(v, people.person())
        with pytest.raises(LogRewritten):
            sync_once(v, rewritten.url, transport=rewritten.transport)
    finally:
        rewritten.bridge.close()
        rewritten.store.close()
    assert len(v.pending_operations()) == 1  # nothing recorded from a center we no longer trust


def test_openapi_document_served(center):
    with httpx.Client(transport=center.transport, base_url=center.url) as c:
        doc = c.get("/openapi.json").json()
    assert set(doc["paths"]) == {"/v1/enrol", "/v1/push", "/v1/pull", "/v1/receipt"}
    assert "Operation" in doc["components"]["schemas"]
    assert doc["paths"]["/v1/push"]["post"]["responses"]["426"]


def test_laptop_clock_weeks_off_is_corrected_from_the_center(center, make_vault, people, monkeypatch):
    import sync.client.client as cc

    v = make_vault()
    center.enrol(v)
    people.register(v, people.person())

    monkeypatch.setattr(cc, "_utcnow", lambda: dt.datetime.now(dt.UTC) - dt.timedelta(days=20))
    s = sync_once(v, center.url, transport=center.transport)
    assert s.applied == 1
    # a replayed request with an old timestamp is still refused
    r, headers, body = _push_raw(center, v, _req(v, []))
    headers[P.HDR_TIME] = "2020-01-01T00:00:00+00:00"
    with httpx.Client(transport=center.transport, base_url=center.url) as c:
        again = c.post("/v1/push", content=body, headers=headers)
    assert again.status_code == 401


def test_guessing_enrolment_codes_is_throttled_per_worker_and_lifts_after_a_while(center, make_vault):
    from sync.client.client import enrol

    alice, bob = make_vault("alice"), make_vault("bob")
    right = center.store.create_enrol_code("alice", "worker", None, dt.timedelta(days=1))
    for _ in range(5):
        with pytest.raises(AuthRefused) as wrong:
            enrol(alice, center.url, "AAAA-BBBB-CCCC", transport=center.transport)
        assert wrong.value.detail == "enrolment_refused"
    with pytest.raises(AuthRefused) as throttled:  # even the right code, for now
        enrol(alice, center.url, right, transport=center.transport)
    assert throttled.value.detail == "enrolment_throttled"
    assert "15" in throttled.value.message_zh
    center.enrol(bob)  # another worker is not held up
    center.clock.advance(minutes=16)
    enrol(alice, center.url, right, transport=center.transport)
    assert center.store.device(alice.device_id) is not None
