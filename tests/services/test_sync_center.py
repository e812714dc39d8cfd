"""Sync through the real sync client against the embedded center on loopback: enrolment, push, refusals."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from outreach.services.errors import ServiceError
from outreach.services.views import SyncProgress
from tests.support.context import application_values

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


@pytest.fixture
def center(tmp_path):
    from sync.center.embedded import EmbeddedCenter

    running = EmbeddedCenter(tmp_path / "center.db")
    url = running.start()
    yield running, url
    running.stop()


@pytest.fixture
def enrolled(ctx, center):
    running, url = center
    code = running.store.create_enrol_code("w-test", "worker", None, dt.timedelta(hours=1))
    ctx.sync._factory = lambda vault: __import__("sync.client.client", fromlist=["SyncClient"]).SyncClient(vault, url)
    ctx.sync.enrol(url, code)
    return ctx


def test_a_wrong_enrolment_code_is_refused_in_words(ctx, center):
    _running, url = center
    with pytest.raises(ServiceError) as refused:
        ctx.sync.enrol(url, "not-a-code")
    assert refused.value.key == "sync.enrol_failed"
    assert refused.value.detail is not None


def test_push_with_progress_and_nothing_left_waiting(enrolled, tmp_path):
    photo = tmp_path / "p.jpg"
    photo.write_bytes(JPEG)
    result, _pid = enrolled.cards.register_and_apply(application_values(photo_path=str(photo)))
    assert result.saved
    steps: list[SyncProgress] = []
    summary = enrolled.sync.run(progress=steps.append, cancel=threading.Event())
    assert summary.error_key is None, summary.error_detail
    assert summary.pushed == 2
    assert steps
    assert {s.stage for s in steps} <= {"push", "pull"}
    assert enrolled.home.summary().pending_ops == 0
    assert enrolled.home.summary().last_sync is not None


def test_without_enrolment_the_sync_says_so(ctx, center):
    _running, url = center
    ctx.sync._factory = lambda vault: __import__("sync.client.client", fromlist=["SyncClient"]).SyncClient(vault, url)
    summary = ctx.sync.run()
    assert summary.error_key == "sync.failed"
    assert summary.error_detail is not None


def test_a_conflict_reaches_the_worker_as_base_mine_and_theirs_with_who_and_when(enrolled, center, tmp_path):
    """Two workers change the same person's mobile offline; the second to sync sees both sides in words."""
    from storage import Vault
    from sync.client.client import enrol, sync_once
    from tests.support.context import PASSPHRASE

    running, url = center
    pid = enrolled.people.find("王秀英")[0].person_id
    old_mobile = enrolled.people.person(pid).mobile
    assert enrolled.sync.run().error_key is None
    running.store.load_people([enrolled.people.person(pid).model_dump(mode="json")],
                              dt.datetime.now(dt.UTC))
    running.store.assign("w-other", [pid], dt.datetime.now(dt.UTC))
    running.store.assign("w-test", [pid], dt.datetime.now(dt.UTC))  # both on the plan: only theirs is seen
    other = Vault.create(tmp_path / "other.db", PASSPHRASE, worker_id="w-other")
    enrol(other, url, running.store.create_enrol_code("w-other", "worker", None, dt.timedelta(hours=1)))
    sync_once(other, url)
    theirs = other.get_person(pid)
    assert theirs is not None
    other.append("person.update", pid, {"person": theirs.model_dump(mode="json") | {"mobile": "13911112222"}})
    assert sync_once(other, url).applied == 1
    other.close()

    assert enrolled.cards.record(pid, "person.update", {"mobile": "13833334444"}).saved
    summary = enrolled.sync.run()
    assert summary.conflicts == 1
    (issue,) = summary.issues
    assert issue.status == "conflict"
    assert issue.base_person == {"mobile": old_mobile[:3] + "****" + old_mobile[-4:]}
    assert issue.mine_person == {"mobile": "138****4444"}
    assert [(c.worker_id, c.kind) for c in issue.theirs_changes] == [("w-other", "person.update")]
    assert issue.theirs_changes[0].when
    assert issue.mine_change is not None
    assert issue.mine_change.worker_id == "w-test"


def test_the_center_names_card_statuses_as_the_laptop_does():
    from outreach.domain.enums import STATUS_ZH, CardStatus
    from sync.center.rules import _zh

    assert {s: _zh(s) for s in CardStatus} == STATUS_ZH
