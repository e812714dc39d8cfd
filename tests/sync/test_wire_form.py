"""The compact push form (issue 15): what the center recomputes does not travel, and every promise holds.

A laptop sends its operations without their hash (the center computes it from the canonical body) and with the
previous hash only where it is not the hash of the operation just before it in the request; signatures travel as
base64. The center checks the same signature over the same hash, refuses a gap or a fork with the same codes,
answers a retried batch with ``duplicate`` and still accepts the full form older laptops send.
"""

from __future__ import annotations

import base64
import json

import pytest

from outreach.domain.operation import Operation, compute_hash
from sync import protocol as P
from sync.client.client import sync_once
from tests.sync.test_security import _push_raw, _req, _state


def _compact(vault, ops, size=0):
    return P.PushRequest.compact(vault.device_id, size, ops).model_dump(mode="json", exclude_defaults=True)


def _resign(vault, op: Operation, **update) -> Operation:
    """``op`` changed and signed again by the device's own key (what a laptop with a broken chain would send)."""
    fields = {**op.signed_fields(), **update}
    h = compute_hash(fields)
    return Operation(**fields, hash=h, signature=vault._signer.sign(bytes.fromhex(h)).hex())


def test_compact_form_leaves_out_what_the_center_recomputes(make_vault, people):
    v = make_vault()
    ops = [people.register(v, people.person()) for _ in range(200)]
    doc = _compact(v, ops)
    assert "operations" not in doc
    assert len(doc["ops"]) == 200
    assert all("hash" not in w and "signature" not in w for w in doc["ops"])
    assert [("prev_hash" in w) for w in doc["ops"]] == [True] + [False] * 199
    assert base64.b64decode(doc["ops"][5]["sig"]).hex() == ops[5].signature
    # rebuilt exactly as signed: the same hashes, chain and signatures
    assert P.PushRequest.model_validate(doc).all_operations() == ops
    full = P.encode_body(P.PushRequest(protocol_version=P.PROTOCOL_VERSION, device_id=v.device_id, operations=ops))
    compact = P.encode_body(P.PushRequest.compact(v.device_id, 0, ops))
    # the hash (32 bytes no compressor can shrink) no longer travels; the previous hash repeated the one before it
    # and cost little; the signature's 64 random bytes travel either way (base64 or hex compress alike)
    assert len(full) - len(compact) >= 30 * len(ops), (len(compact), len(full))


def test_compact_push_applied_once_and_retried_batch_is_duplicate(center, make_vault, people):
    v = make_vault()
    center.enrol(v)
    ops = [people.register(v, people.person()) for _ in range(5)]
    r, _, _ = _push_raw(center, v, _compact(v, ops))
    assert r.status_code == 200
    assert r.json()["statuses"] == "aaaaa"
    assert [(o.op_id, o.hash) for o in center.store.operations(v.device_id)] == [(o.op_id, o.hash) for o in ops]
    before = _state(center)
    r, _, _ = _push_raw(center, v, _compact(v, ops))  # the answer was lost: the laptop sends the batch again
    assert r.json()["statuses"] == "ddddd"
    assert _state(center) == before


def test_old_full_form_still_accepted_and_chain_continues_in_compact_form(center, make_vault, people):
    v = make_vault()
    center.enrol(v)
    first = [people.register(v, people.person()) for _ in range(3)]
    r, _, _ = _push_raw(center, v, _req(v, first))  # an old laptop's request
    assert r.json()["statuses"] == "aaa"
    v.record_push_results([{"op_id": o.op_id, "status": "applied"} for o in first])
    people.register(v, people.person())
    people.register(v, people.person())
    s = sync_once(v, center.url, transport=center.transport)  # the laptop updated: compact form
    assert (s.applied, s.rejected, s.errors) == (2, 0, [])
    assert [o.seq for o in center.store.operations(v.device_id)] == [1, 2, 3, 4, 5]


def test_altered_compact_operation_fails_its_signature(center, make_vault, people):
    v = make_vault()
    center.enrol(v)
    op = people.register(v, people.person())
    doc = _compact(v, [op])
    doc["ops"][0]["payload"]["person"]["name"] = "改名"
    before = _state(center)
    r, _, _ = _push_raw(center, v, doc)
    (res,) = r.json()["results"]
    assert (res["status"], res["code"]) == ("rejected", "bad_signature")
    assert _state(center) == before
    assert sync_once(v, center.url, transport=center.transport).applied == 1


@pytest.mark.parametrize("fault", ["gap", "fork_first", "fork_inside"])
def test_gap_or_fork_in_compact_form_is_chain_broken(center, make_vault, people, fault):
    v = make_vault()
    center.enrol(v)
    a, b, c = (people.register(v, people.person()) for _ in range(3))
    if fault == "gap":  # the second operation never arrives
        batch = [a, c]
    elif fault == "fork_first":  # the first names a previous hash the center never saw
        batch = [_resign(v, a, prev_hash="ab" * 32)]
    else:  # the second does not follow the first: its previous hash travels and is checked
        batch = [a, _resign(v, b, prev_hash="cd" * 32)]
    doc = _compact(v, batch)
    if fault == "fork_inside":
        assert doc["ops"][1]["prev_hash"] == "cd" * 32
    r, _, _ = _push_raw(center, v, doc)
    assert r.status_code == 200
    codes = [x["code"] for x in r.json()["results"] if x["status"] == "rejected"]
    assert codes == ["chain_broken"]
    assert r.json()["statuses"] == ("r" if fault == "fork_first" else "ar")


@pytest.mark.parametrize("bad", ["both_forms", "first_without_prev", "sig_not_base64", "hash_sent"])
def test_malformed_compact_request_refused_in_words(center, make_vault, people, bad):
    v = make_vault()
    center.enrol(v)
    ops = [people.register(v, people.person()) for _ in range(2)]
    doc = _compact(v, ops)
    if bad == "both_forms":
        doc["operations"] = _req(v, ops)["operations"]
    elif bad == "first_without_prev":
        del doc["ops"][0]["prev_hash"]
    elif bad == "sig_not_base64":
        doc["ops"][0]["sig"] = "!" * 86 + "=="
    else:
        doc["ops"][0]["hash"] = ops[0].hash
    before = _state(center)
    r, _, _ = _push_raw(center, v, json.loads(json.dumps(doc)))
    assert r.status_code == 400
    assert r.json()["message_zh"]
    assert r.json()["message_en"]
    assert _state(center) == before
    assert sync_once(v, center.url, transport=center.transport).applied == 2
