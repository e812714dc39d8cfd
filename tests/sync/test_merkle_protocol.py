"""RFC 6962 hashing and consistency proofs, the protocol helpers, and the HTTP API fuzzed from its schema."""

from __future__ import annotations

import hashlib
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sync import merkle
from sync import protocol as P


def test_rfc6962_hashing():
    assert merkle.root([]) == hashlib.sha256(b"").hexdigest()
    leaf = merkle.leaf_hash(b"")
    assert leaf.hex() == "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"  # RFC 6962 test vector
    a, b = merkle.leaf_hash(b"a"), merkle.leaf_hash(b"b")
    assert merkle.root([a, b]) == hashlib.sha256(b"\x01" + a + b).hexdigest()


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 80), st.data())
def test_consistency_proofs_verify_and_detect_rewrites(n, data):
    leaves = [merkle.leaf_hash(i.to_bytes(4, "big")) for i in range(n)]
    m = data.draw(st.integers(0, n))
    proof = merkle.consistency_proof(m, leaves)
    assert merkle.verify_consistency(m, n, merkle.root(leaves[:m]), merkle.root(leaves), proof)
    if m > 0:
        k = data.draw(st.integers(0, m - 1))
        rewritten = list(leaves)
        rewritten[k] = merkle.leaf_hash(b"evil")
        assert not merkle.verify_consistency(m, n, merkle.root(leaves[:m]), merkle.root(rewritten),
                                             merkle.consistency_proof(m, rewritten))


def test_depth_and_inflate_limits():
    assert P.depth_ok({"a": [1, {"b": 2}]})
    assert not P.depth_ok([[[[1]]]], limit=3)
    with pytest.raises(ValueError, match="deeply"):
        P.parse_json(b"[" * 100 + b"]" * 100)
    inside_string = json.dumps({"s": "[" * 40 + '\\"'}).encode()  # brackets in strings do not count
    assert P.parse_json(inside_string) == {"s": "[" * 40 + '\\"'}
    import zstandard

    with pytest.raises(OverflowError):
        P.inflate(zstandard.ZstdCompressor().compress(b"0" * 1000), limit=100)
    with pytest.raises(ValueError, match="zstd"):
        P.inflate(b"nope")


def test_signing_bytes_bind_everything():
    base = P.signing_bytes("POST", "/v1/push", "t", "n", b"body")
    assert base != P.signing_bytes("POST", "/v1/pull", "t", "n", b"body")
    assert base != P.signing_bytes("POST", "/v1/push", "t", "n", b"bodx")
    assert len(base) != 32  # never confusable with an operation signature


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8),
                           lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=5), c, max_size=3),
                           max_leaves=10)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(["/v1/enrol", "/v1/push", "/v1/pull"]), body=json_values,
       fields=st.dictionaries(st.sampled_from(["protocol_version", "device_id", "code", "operations", "since",
                                               "limit", "public_key", "worker_id", "known_tree_size"]),
                              json_values, max_size=6),
       encode=st.booleans(), proto=st.sampled_from(["1", "0", "2", "x", ""]))
def test_api_fuzz_never_500(fuzz_center, path, body, fields, encode, proto):
    import httpx
    import zstandard

    payload = json.dumps(fields if fields else body).encode()
    headers = {P.HDR_PROTOCOL: proto, P.HDR_DEVICE: "d", P.HDR_TIME: "2026-01-01T00:00:00+00:00",
               P.HDR_NONCE: "n", P.HDR_SIGNATURE: "00"}
    if encode:
        payload = zstandard.ZstdCompressor().compress(payload)
        headers["content-encoding"] = "zstd"
    with httpx.Client(transport=fuzz_center.transport, base_url=fuzz_center.url) as c:
        r = c.post(path, content=payload, headers=headers)
    assert r.status_code < 500, r.text
    assert r.status_code in (200, 400, 401, 403, 413, 426)
    if r.status_code != 200:
        err = r.json()
        assert err["message_zh"]
        assert err["message_en"]


@pytest.fixture(scope="module")
def fuzz_center(tmp_path_factory):
    from sync.center.sqlite_store import SqliteStore
    from tests.sync.conftest import Center

    st_ = SqliteStore(tmp_path_factory.mktemp("fuzz") / "c.db")
    st_.init_schema()
    c = Center(st_)
    yield c
    c.bridge.close()


@pytest.fixture(scope="module")
def signed_device(fuzz_center):
    import datetime as dt

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    from outreach.domain.operation import GENESIS_HASH

    key = Ed25519PrivateKey.generate()
    code = fuzz_center.store.create_enrol_code("fuzzer", "worker", None, dt.timedelta(hours=1))
    pub = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    fuzz_center.store.enrol(code, "fuzz-device", "fuzzer", pub, dt.datetime.now(dt.UTC))
    return {"key": key, "seq": 0, "prev": GENESIS_HASH}


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(sorted(__import__("outreach.domain.operation", fromlist=["KINDS"]).KINDS)),
       payload=st.dictionaries(st.sampled_from(["event", "person", "visit", "op_id", "cards", "x"]), json_values,
                               max_size=3),
       subject=st.text(min_size=1, max_size=12), base=st.integers(0, 5))
def test_signed_garbage_operations_get_answers_never_500(fuzz_center, signed_device, kind, payload, subject, base):
    """Authentic (correctly signed and chained) operations with arbitrary content reach the rules and are
    answered per operation; the center never fails."""
    import datetime as dt
    import uuid

    import httpx

    from outreach.domain.operation import Operation, compute_hash, format_hlc
    from sync.client import trust

    d = signed_device
    fields = {"op_id": str(uuid.uuid4()), "device_id": "fuzz-device", "worker_id": "fuzzer", "seq": d["seq"] + 1,
              "kind": kind, "subject": subject, "base_version": base, "payload": payload,
              "hlc": format_hlc(1_700_000_000_000, 0), "schema_version": 1, "prev_hash": d["prev"]}
    try:
        h = compute_hash(fields)
    except ValueError:
        return
    op = Operation(**fields, hash=h, signature=d["key"].sign(bytes.fromhex(h)).hex())
    body = P.encode_body(P.PushRequest(protocol_version=1, device_id="fuzz-device", operations=[op]))
    now = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")
    headers = trust.signed_headers(d["key"].sign, "fuzz-device", "POST", "/v1/push", body, now)
    headers["content-encoding"] = "zstd"
    with httpx.Client(transport=fuzz_center.transport, base_url=fuzz_center.url) as c:
        r = c.post("/v1/push", content=body, headers=headers)
    assert r.status_code == 200, r.text
    letter = r.json()["statuses"]
    assert len(letter) == 1
    if letter == "r":
        assert r.json()["results"][0]["code"] != "chain_broken"  # it really reached the rules
    if letter != "r" or r.json()["results"][0]["code"] != "bad_signature":
        d["seq"], d["prev"] = op.seq, op.hash
