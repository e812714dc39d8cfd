"""Every pull page and push answer is signed by the center's key and checked before anything is applied: a man
in the middle (a real proxy over real HTTP) altering a byte, or replaying an old answer, changes nothing."""

from __future__ import annotations

import datetime as dt
import json

import httpx
import pytest

from sync import protocol as P
from sync.center.embedded import EmbeddedCenter
from sync.client import trust
from sync.client.client import enrol, sync_once
from sync.errors import BadResponse
from tests.sync.tamperproxy import TamperProxy


@pytest.fixture
def served(store):
    with EmbeddedCenter(store=store) as c:
        yield c


def _enrol(center, vault, role="worker"):
    code = center.store.create_enrol_code(vault.worker_id, role, None, dt.timedelta(hours=1))
    enrol(vault, center.url, code)


def test_a_proxy_altering_a_pull_page_is_caught_and_nothing_is_applied(served, make_vault, people):
    v = make_vault("alice")
    _enrol(served, v)
    ps = [people.person() for _ in range(5)]
    served.store.load_people([p.model_dump(mode="json") for p in ps], dt.datetime.now(dt.UTC))
    served.store.assign("alice", [p.person_id for p in ps], dt.datetime.now(dt.UTC))

    def rename(path: str, body: bytes) -> bytes:
        if path != "/v1/pull":
            return body
        for p in ps:
            body = body.replace(p.name.encode(), "冒名".encode())
        return body

    with TamperProxy(served.port, rename) as proxy, pytest.raises(BadResponse) as caught:
        sync_once(v, proxy.url, retries=0)
    assert proxy.tampered >= 1
    assert caught.value.detail == "answer signature"
    assert caught.value.message_zh
    assert caught.value.message_en
    assert [v.get_person(p.person_id) for p in ps] == [None] * 5
    assert v.pull_checkpoint() in (None, "0")
    # straight to the center, the same pull applies the genuine names
    sync_once(v, served.url)
    assert [v.get_person(p.person_id).name for p in ps] == [p.name for p in ps]


def test_a_proxy_turning_a_rejection_into_applied_is_caught_and_the_outbox_kept(served, make_vault, people):
    v = make_vault("alice")
    _enrol(served, v)
    p = people.adult()
    people.register(v, p)
    sync_once(v, served.url)
    bad = v.append("card.issue", p.person_id, {"event": {"kind": "card.issue"}, "cards": None, "fee": None})

    def accept(path: str, body: bytes) -> bytes:
        if path != "/v1/push":
            return body
        doc = json.loads(body)
        doc["statuses"], doc["results"] = doc["statuses"].replace("r", "a"), []
        return json.dumps(doc).encode()

    with TamperProxy(served.port, accept) as proxy, pytest.raises(BadResponse):
        sync_once(v, proxy.url, retries=0)
    assert proxy.tampered == 1
    assert [o.op_id for o in v.pending_operations()] == [bad.op_id]  # not marked applied, not lost
    s = sync_once(v, served.url)
    assert [(c.op_id, c.code) for c in s.issues] == [(bad.op_id, "kind_not_allowed")]


def test_an_old_answer_replayed_to_a_new_request_is_refused(center, make_vault, people):
    v = make_vault("alice")
    center.enrol(v)
    p = people.person()
    center.store.load_people([p.model_dump(mode="json")], center.clock())
    sync_once(v, center.url, transport=center.transport)  # an empty first page, kept by the attacker
    recorded: list[httpx.Response] = []

    def replay(request: httpx.Request) -> httpx.Response:
        r = center.bridge.handle(request)
        if request.url.path == "/v1/pull":
            if not recorded:
                recorded.append(r)
            old = recorded[0]
            headers = {k: v for k, v in old.headers.items() if k not in ("content-encoding", "content-length")}
            return httpx.Response(old.status_code, headers=headers, content=old.content)
        return r

    sync_once(v, center.url, transport=httpx.MockTransport(replay))  # records a genuine (empty) page
    center.store.assign("alice", [p.person_id], center.clock())
    with pytest.raises(BadResponse):  # the old page, with a signature over another request's nonce
        sync_once(v, center.url, transport=httpx.MockTransport(replay), retries=0)
    assert sync_once(v, center.url, transport=center.transport).pulled >= 1


def test_every_answer_carries_the_center_signature(center, make_vault):
    v = make_vault("alice")
    center.enrol(v)
    req = P.PullRequest(protocol_version=P.PROTOCOL_VERSION, device_id=v.device_id)
    body = P.encode_body(req)
    headers = trust.signed_headers(trust.device_signer(v), v.device_id, "POST", "/v1/pull", body,
                                   dt.datetime.now(dt.UTC).isoformat())
    headers.update({"content-encoding": "zstd"})
    with httpx.Client(transport=center.transport, base_url=center.url) as c:
        ok = c.post("/v1/pull", content=body, headers=headers)
        refused = c.post("/v1/pull", content=body, headers=headers)  # the same nonce again: replayed
    key = v.get_meta(trust.META_SIGN_KEY)
    for r in (ok, refused):
        trust.verify_answer(key, "POST", "/v1/pull", headers[P.HDR_NONCE], r.status_code, r.content,
                            r.headers[P.HDR_ANSWER_SIGNATURE])
    assert (ok.status_code, refused.status_code) == (200, 401)
