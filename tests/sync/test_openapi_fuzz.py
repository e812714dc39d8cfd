"""The center's HTTP API fuzzed from its own OpenAPI document.

``/openapi.json`` is fetched from the running center; for every path and method it lists, request bodies are
generated from the operation's ``requestBody`` JSON schema (``$ref`` resolved against ``components``) with
hypothesis-jsonschema: schema-valid ones, fitted like a real device's (its device id, protocol version,
operations re-hashed, signed and chained by the device key), and mutated ones (a key dropped or added, a value
of the wrong type or out of range, other JSON, bytes that are no JSON, a body claimed as zstd that is not).
They are sent zstd-compressed or plain, signed by an enrolled device exactly as the client does
(:func:`sync.client.trust.signed_headers`), unsigned, or signed by a stranger's key.

The center must never answer 5xx; error answers are JSON matching ``ErrorResponse``; 200 answers match the
document's response schema; every endpoint's handler is really reached (some 200s). A separate test fails
when the document lists an endpoint this fuzz does not know how to reach.
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import json
import types
import uuid
from collections import Counter
from typing import Any

import httpx
import jsonschema
import pytest
import zstandard
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.internal.conjecture import utils as _cu
from hypothesis_jsonschema import _from_schema as _hjs
from hypothesis_jsonschema import from_schema

from outreach.domain.operation import KINDS, compute_hash, format_hlc
from sync import protocol as P
from sync.client import trust
from tests.sync.test_merkle_protocol import fuzz_center, json_values, signed_device  # noqa: F401  (fixtures reused)

DEVICE, WORKER = "fuzz-device", "fuzzer"  # enrolled by the ``signed_device`` fixture
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}

#: Every operation of the document this fuzz knows how to reach, and how: "signed" ones need the device's
#: request signature, "enrol" is reached with a one-time code instead.
COVERED: dict[tuple[str, str], str] = {
    ("/v1/enrol", "post"): "enrol",
    ("/v1/push", "post"): "signed",
    ("/v1/pull", "post"): "signed",
    ("/v1/receipt", "post"): "signed",
}


class _ManyCompat:
    """hypothesis-jsonschema 0.23 drives ``many`` by ``more()``/``reject()``; Hypothesis 6.16x replaced that
    with ``with many(...) as m: for _ in m:``. This runs the new one behind the old calls."""

    _END = object()

    def __init__(self, data: Any, **kw: Any) -> None:
        self._many = _cu.many(data, **kw)
        self._many.__enter__()
        self._steps = iter(self._many)

    def more(self) -> bool:
        if next(self._steps, self._END) is self._END:
            self._many.__exit__(None)
            return False
        return True

    def reject(self, why: str | None = None) -> None:
        self._many.reject(why)


@pytest.fixture(scope="module", autouse=True)
def _jsonschema_on_this_hypothesis() -> Any:
    with pytest.MonkeyPatch.context() as mp:
        if not hasattr(_cu.many, "more"):
            mp.setattr(_hjs, "cu", types.SimpleNamespace(many=_ManyCompat))
        yield


def _inline(node: Any, doc: dict[str, Any]) -> Any:
    """``node`` with every ``#/...`` $ref replaced by its target (the center's schemas are not recursive)."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            target: Any = doc
            for part in ref.removeprefix("#/").split("/"):
                target = target[part]
            rest = {k: v for k, v in node.items() if k != "$ref"}
            return _inline({**target, **rest}, doc)
        return {k: _inline(v, doc) for k, v in node.items()}
    if isinstance(node, list):
        return [_inline(v, doc) for v in node]
    return node


def _operations(doc: dict[str, Any]) -> set[tuple[str, str]]:
    return {(path, method) for path, item in doc["paths"].items() for method in item if method in HTTP_METHODS}


def _json_schema(responses_or_body: dict[str, Any], doc: dict[str, Any]) -> dict[str, Any]:
    return _inline(responses_or_body["content"]["application/json"]["schema"], doc)  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def api_doc(fuzz_center) -> dict[str, Any]:  # noqa: F811
    with httpx.Client(transport=fuzz_center.transport, base_url=fuzz_center.url) as c:
        r = c.get("/openapi.json")
    assert r.status_code == 200
    doc = r.json()
    assert doc["openapi"].startswith("3.")
    return doc  # type: ignore[no-any-return]


def test_openapi_document_is_fully_covered(api_doc):
    """Adding an endpoint to the document without teaching this fuzz to reach it fails here."""
    listed = _operations(api_doc)
    assert listed, "the document lists no operations"
    assert listed - COVERED.keys() == set(), "endpoints in /openapi.json the fuzz does not cover"
    assert COVERED.keys() - listed == set(), "the fuzz covers endpoints no longer in /openapi.json"
    for path, method in listed:
        assert "schema" in api_doc["paths"][path][method]["requestBody"]["content"]["application/json"]


# -- mutations ----------------------------------------------------------------------------------------------
odd_values = st.one_of(
    json_values, st.integers(), st.sampled_from([2**63, 2**64, 10**30, -(2**63) - 1, -1, 0, 1.5, 1e308]),
    st.text(max_size=80), st.text(alphabet="0123456789", min_size=19, max_size=32),
)


@st.composite
def mutated(draw: st.DrawFn, body: dict[str, Any]) -> Any:
    how = draw(st.sampled_from(["drop", "add", "retype", "other_json", "list"]))
    out = copy.deepcopy(body)
    if how == "drop" and out:
        out.pop(draw(st.sampled_from(sorted(out))))
    elif how == "add":
        out[draw(st.text(min_size=1, max_size=12))] = draw(json_values)
    elif how == "retype" and out:
        out[draw(st.sampled_from(sorted(out)))] = draw(odd_values)
    elif how == "other_json":
        return draw(json_values)
    elif how == "list":
        return [out]
    return out


def _extremes(schema: dict[str, Any]) -> st.SearchStrategy[Any] | None:
    """Schema-valid values at the edges of ``schema``: the largest integers it allows (beyond 64 bits when
    it sets no maximum) and strings of its full ``maxLength``."""
    if schema.get("type") == "integer":
        lo, hi = schema.get("minimum", -(2**80)), schema.get("maximum", 2**80)
        edges = {lo, hi, 2**31, 2**53 + 1, 2**63 - 1, 2**63, 2**64, 10**30, -(2**63) - 1}
        return st.sampled_from(sorted(v for v in edges if lo <= v <= hi))
    if schema.get("type") == "string" and "maxLength" in schema:
        n, pattern = schema["maxLength"], schema.get("pattern")
        if pattern is None:
            return st.text(min_size=n, max_size=n)
        if pattern.startswith("^") and pattern.endswith("+$"):  # e.g. ^[0-9]+$ at its longest
            return st.from_regex(f"{pattern[:-2]}{{{n}}}$", fullmatch=True)
    return None


@st.composite
def with_extremes(draw: st.DrawFn, body: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """``body`` with some fields (also of the first item of arrays of objects) at the edges of their schema."""
    out = copy.deepcopy(body)
    targets: list[tuple[dict[str, Any], str, st.SearchStrategy[Any]]] = []
    for name, prop in schema.get("properties", {}).items():
        edge = _extremes(prop)
        if edge is not None:
            targets.append((out, name, edge))
        items, value = prop.get("items", {}), out.get(name)
        if isinstance(value, list) and value and isinstance(value[0], dict):
            targets += [(value[0], n, e) for n, p in items.get("properties", {}).items()
                        if (e := _extremes(p)) is not None]
    for holder, name, edge in draw(st.lists(st.sampled_from(targets), min_size=1, max_size=3)) if targets else []:
        holder[name] = draw(edge)
    return out


raw_garbage = st.one_of(
    st.binary(max_size=200),
    st.sampled_from([b"", b"{", b"null", b'{"protocol_version": 1', b"\xff\xfe{}", b"[" * 200 + b"]" * 200,
                     b'{"a":' * 40 + b"1" + b"}" * 40, b"1e999999", b'{"protocol_version": NaN}']),
)


# -- fitting a body like a real device ----------------------------------------------------------------------
def _chain_head(store: Any) -> tuple[int, str]:
    head = store.chain_head(DEVICE)
    assert head is not None
    return head


def _sign_ops(ops: list[Any], key: Ed25519PrivateKey, chain_from: tuple[int, str] | None,
             kinds: list[str]) -> list[Any]:
    """The device's own operations: its ids, hashes and signatures; chained from ``chain_from`` if given."""
    out: list[Any] = []
    seq, prev = chain_from or (0, "")
    for raw in ops:
        if not isinstance(raw, dict):
            out.append(raw)
            continue
        fields = {k: v for k, v in raw.items() if k not in ("hash", "signature")}
        fields.update(device_id=DEVICE, worker_id=WORKER, op_id=str(uuid.uuid4()))
        if kinds:  # a device makes operations of known kinds (the schema only says "one of KINDS")
            fields["kind"] = kinds[len(out) % len(kinds)]
        subject = fields.get("subject")
        if not isinstance(subject, str) or not 0 < len(subject) <= P.MAX_ID:  # a device's subjects are ids
            fields["subject"] = str(uuid.uuid4())
        fields.setdefault("schema_version", 1)
        if chain_from is not None:
            seq += 1
            fields.update(seq=seq, prev_hash=prev)
        try:
            h = compute_hash(fields)
        except (ValueError, TypeError):
            out.append(raw)
            continue
        prev = h
        out.append({**fields, "hash": h, "signature": key.sign(bytes.fromhex(h)).hex()})
    return out


def _sign_wire_ops(ops: list[Any], key: Ed25519PrivateKey, chain_from: tuple[int, str] | None,
                   kinds: list[str]) -> list[Any]:
    """The device's own operations in the compact push form (issue 15): no hash, the previous hash on the first
    one (and wherever the chain does not simply follow), the signature in base64; chained from ``chain_from``."""
    out: list[Any] = []
    seq, prev = chain_from or (0, "0" * 64)
    for i, raw in enumerate(ops):
        if not isinstance(raw, dict):
            out.append(raw)
            continue
        fields = {k: v for k, v in raw.items() if k not in ("prev_hash", "sig")}
        fields.update(device_id=DEVICE, worker_id=WORKER, op_id=str(uuid.uuid4()))
        if kinds:
            fields["kind"] = kinds[i % len(kinds)]
        subject = fields.get("subject")
        if not isinstance(subject, str) or not 0 < len(subject) <= P.MAX_ID:
            fields["subject"] = str(uuid.uuid4())
        fields.setdefault("schema_version", 1)
        named = chain_from is None or i == 0
        if chain_from is not None:
            seq += 1
            fields["seq"] = seq
        elif isinstance(raw.get("prev_hash"), str):
            prev = raw["prev_hash"]
        try:
            h = compute_hash({**fields, "prev_hash": prev})
        except (ValueError, TypeError):
            out.append(raw)
            continue
        sig = base64.b64encode(key.sign(bytes.fromhex(h))).decode()
        out.append({**fields, **({"prev_hash": prev} if named else {}), "sig": sig})
        prev = h
    return out


def _check_answer(r: httpx.Response, op: dict[str, Any], doc: dict[str, Any], what: str) -> None:
    assert r.status_code < 500, f"{what}: {r.status_code} {r.text[:500]}"
    schema_for = op["responses"].get(str(r.status_code))
    if r.status_code == 200:
        assert schema_for is not None
        jsonschema.validate(r.json(), _json_schema(schema_for, doc))
        return
    assert r.headers.get("content-type", "").startswith("application/json"), f"{what}: {r.status_code} not JSON"
    err = r.json()
    jsonschema.validate(err, _json_schema({"content": {"application/json": {"schema": {
        "$ref": "#/components/schemas/ErrorResponse"}}}}, doc))
    assert err["code"]
    assert err["message_zh"]
    assert err["message_en"]


@pytest.mark.parametrize(("path", "method"), sorted(COVERED))
def test_openapi_fuzz_never_5xx(fuzz_center, signed_device, api_doc, path, method):  # noqa: F811
    assert (path, method) in _operations(api_doc), f"{method.upper()} {path} is not in /openapi.json"
    op = api_doc["paths"][path][method]
    body_schema = _json_schema(op["requestBody"], api_doc)
    valid_bodies = from_schema(body_schema)
    mode = COVERED[(path, method)]
    stranger = Ed25519PrivateKey.generate()
    seen: Counter[int] = Counter()
    client = httpx.Client(transport=fuzz_center.transport, base_url=fuzz_center.url)

    # The first choice of each draw is the simplest, so Hypothesis starts from a real device's request.
    @settings(max_examples=45, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
    @given(data=st.data())
    def fuzz(data: st.DataObject) -> None:
        body: Any = data.draw(valid_bodies, label="schema-valid body")
        edges = data.draw(st.booleans(), label="edge values")
        if edges:
            body = data.draw(with_extremes(body, body_schema), label="body with edge values")
        fit = data.draw(st.booleans().map(lambda b: not b), label="fitted like a device")
        if fit:
            body["protocol_version"] = P.PROTOCOL_VERSION
            if mode == "signed":
                body["device_id"] = DEVICE
            if mode == "enrol":  # a fresh one-time code for a fresh device: the enrolment succeeds
                body["code"] = fuzz_center.store.create_enrol_code(WORKER, "worker", None, dt.timedelta(hours=1))
                body["worker_id"] = WORKER
                body["device_id"] = "fz-" + uuid.uuid4().hex
            if isinstance(body.get("operations"), list):
                chained = data.draw(st.booleans().map(lambda b: not b), label="operations chained")
                head = _chain_head(fuzz_center.store) if chained else None
                kinds = data.draw(st.lists(st.sampled_from(sorted(KINDS)), max_size=3), label="kinds")
                body["operations"] = _sign_ops(body["operations"], signed_device["key"], head, kinds)
            if isinstance(body.get("ops"), list):
                if body.get("operations"):  # a device sends one form per request
                    del body["operations" if data.draw(st.booleans(), label="compact form") else "ops"]
                if isinstance(body.get("ops"), list):
                    chained = data.draw(st.booleans().map(lambda b: not b), label="ops chained")
                    head = _chain_head(fuzz_center.store) if chained else None
                    kinds = data.draw(st.lists(st.sampled_from(sorted(KINDS)), max_size=3), label="ops kinds")
                    body["ops"] = _sign_wire_ops(body["ops"], signed_device["key"], head, kinds)
        damage = data.draw(st.sampled_from(["none", "none", "mutate", "bytes"]), label="damage")
        if damage == "mutate":
            body = data.draw(mutated(body), label="mutated body")
        raw = data.draw(raw_garbage, label="raw bytes") if damage == "bytes" else json.dumps(body).encode()
        encoding = data.draw(st.sampled_from(["zstd", "identity", "fake-zstd"]), label="encoding")
        wire = zstandard.ZstdCompressor(level=6).compress(raw) if encoding == "zstd" else raw
        auth = data.draw(st.sampled_from(["device", "unsigned", "stranger", "stale", "proto"]), label="auth")
        now = dt.datetime.now(dt.UTC)
        if auth == "stale":
            now -= dt.timedelta(seconds=2 * P.REPLAY_WINDOW_S)
        signer = stranger.sign if auth == "stranger" else signed_device["key"].sign
        headers = trust.signed_headers(signer, DEVICE, method.upper(), path, wire,
                                       now.isoformat(timespec="milliseconds"))
        if auth == "unsigned":
            headers = {P.HDR_PROTOCOL: headers[P.HDR_PROTOCOL]}
        if auth == "proto":
            headers[P.HDR_PROTOCOL] = data.draw(st.sampled_from(["0", "2", "", "x", "99999999999999999999"]))
        if encoding != "identity":
            headers["content-encoding"] = "zstd"
        what = f"{method.upper()} {path} fit={fit} damage={damage} encoding={encoding} auth={auth}"
        try:
            r = client.request(method.upper(), path, content=wire, headers=headers)
        except Exception as exc:  # the ASGI bridge re-raises what the app did not handle (a 500)
            raise AssertionError(f"{what}: center raised {exc!r}") from exc
        seen[r.status_code] += 1
        _check_answer(r, op, api_doc, what)
        if fit and not edges and damage == "none" and encoding == "zstd" and auth == "device":
            assert r.status_code == 200, f"{what}: a device's own request refused: {r.text[:500]}"

    try:
        fuzz()
    finally:
        client.close()
    assert seen[200] > 0, f"{method.upper()} {path}: no request reached the handler ({dict(seen)})"
    assert len(seen) > 1, f"{method.upper()} {path}: only {dict(seen)}; the invalid requests did not vary"


def _signed_post(center: Any, device: dict[str, Any], path: str, body: dict[str, Any]) -> httpx.Response:
    wire = P.encode_body(P.PullRequest.model_validate(body)) if path == "/v1/pull" else \
        zstandard.ZstdCompressor().compress(json.dumps(body).encode())
    headers = trust.signed_headers(device["key"].sign, DEVICE, "POST", path, wire,
                                   dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"))
    headers["content-encoding"] = "zstd"
    with httpx.Client(transport=center.transport, base_url=center.url) as c:
        return c.post(path, content=wire, headers=headers)


def test_found_by_the_fuzz_checkpoint_beyond_64_bits_is_a_400(fuzz_center, signed_device):  # noqa: F811
    """``since`` may be 32 digits by the schema; SQLite cannot bind more than 64 bits (it was a 500)."""
    r = _signed_post(fuzz_center, signed_device, "/v1/pull",
                     {"protocol_version": 1, "device_id": DEVICE, "since": "9" * 32})
    assert r.status_code == 400
    assert r.json()["code"] == "bad_request"
    r = _signed_post(fuzz_center, signed_device, "/v1/pull",
                     {"protocol_version": 1, "device_id": DEVICE, "since": str(2**63 - 1)})
    assert r.status_code == 200
    assert r.json()["changes"] == []


def test_found_by_the_fuzz_conflict_with_base_version_beyond_64_bits(fuzz_center, signed_device):  # noqa: F811
    """An authentic operation whose ``base_version`` no column can hold conflicts like any other (was a 500)."""
    from tests.sync.conftest import People

    person = People(seed=7).adult()
    for base in (0, 10**30):
        seq, prev = _chain_head(fuzz_center.store)
        fields = {"op_id": str(uuid.uuid4()), "device_id": DEVICE, "worker_id": WORKER, "seq": seq + 1,
                  "kind": "person.update", "subject": person.person_id, "base_version": base,
                  "payload": {"person": person.model_dump(mode="json")}, "hlc": format_hlc(1_700_000_000_000, 0),
                  "schema_version": 1, "prev_hash": prev}
        h = compute_hash(fields)
        op = {**fields, "hash": h, "signature": signed_device["key"].sign(bytes.fromhex(h)).hex()}
        r = _signed_post(fuzz_center, signed_device, "/v1/push",
                         {"protocol_version": 1, "device_id": DEVICE, "operations": [op]})
        assert r.status_code == 200, r.text
    assert r.json()["statuses"] in ("c", "r")
