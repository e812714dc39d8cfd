"""What a supervisor writes at the center (issue 9, sync/center/access.py): a full export's ``audit.export``
reaches the center and is kept there, and nobody else's is; and every role against every operation kind on the
subjects that are not people (a full export ``export:<id>``, a session ``session:<id>``). On SQLite and
PostgreSQL, over the real app and real vaults."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

from outreach.domain.operation import KINDS
from outreach.domain.sessions import SESSION_KINDS, Employer, SessionPlan, subject_of
from outreach.exports import ExportRequest, run_export
from outreach.exports.vault_source import VaultSource
from sync.center.access import NOT_PERMITTED
from sync.client.client import sync_once
from tests.sync.conftest import EMPLOYER


def _sync(center: Any, vault: Any) -> Any:
    s = sync_once(vault, center.url, transport=center.transport)
    assert s.errors == []
    return s


def _export_payload(purpose: str = "区人社局核查 district audit") -> dict[str, Any]:
    return {"export_id": str(uuid.uuid4()), "purpose": purpose, "datasets": ["visits"], "filters": {}}


def _center_ops(center: Any, vault: Any) -> dict[str, str]:
    return {o.op_id: o.status for o in center.store.operations(vault.device_id)}


def test_a_supervisors_full_export_is_recorded_at_the_center(center, make_vault, people, tmp_path):
    """Issue 14: a full export "is recorded as an audit operation that reaches the center"; the center refused
    it (``not_permitted``) until a supervisor's rights included it."""
    p = people.adult()
    center.store.load_people([p.model_dump(mode="json")], center.clock())
    sup = make_vault("sup")
    center.enrol(sup, "supervisor", p.area_code[:4])
    _sync(center, sup)
    src = VaultSource(sup)
    req = src.authorise(ExportRequest(datasets=("visits",), formats=("xlsx",), masked=False,
                                      purpose="区人社局核查 district audit"))
    (tmp_path / "out").mkdir()
    res = run_export(src, req, tmp_path / "out")
    (audit,) = [o for o in sup.operations() if o.kind == "audit.export"]
    s = _sync(center, sup)
    assert (s.applied, s.issues) == (1, [])
    assert sup.pending_operations() == []
    assert _center_ops(center, sup) == {audit.op_id: "applied"}
    kept = center.store.receipt_lookup(audit.op_id)
    assert [(r["kind"], r["status"]) for r in kept] == [("audit.export", "applied")]
    assert res.password  # the password never travels: the center keeps purpose and filters only
    assert res.password not in str(audit.payload)
    # a record naming another export, or without a purpose, is refused in words
    other = _export_payload()
    sup.append("audit.export", "export:" + str(uuid.uuid4()), other)
    sup.append("audit.export", "export:" + other["export_id"], {**other, "purpose": " "})
    s = _sync(center, sup)
    assert [c.code for c in s.issues] == ["invalid_export", "invalid_export"]
    assert all(c.message_zh and c.message_en for c in s.issues)


@pytest.mark.parametrize("role", ["worker", "employer_host", "supervisor_on_a_person"])
def test_nobody_else_records_a_full_export_and_nothing_is_touched(center, make_vault, people, role):
    p = people.adult()
    center.store.load_people([p.model_dump(mode="json")], center.clock())
    v = make_vault("dev")
    center.enrol(v, "supervisor" if role == "supervisor_on_a_person" else role,
                 None if role == "employer_host" else p.area_code[:4])
    center.store.assign("dev", [p.person_id], center.clock())  # even someone on the device's own plan
    payload = _export_payload()
    subject = p.person_id if role == "supervisor_on_a_person" else "export:" + payload["export_id"]
    v.append("audit.export", subject, payload)
    before = center.store.status()["checkpoint"]["tree_size"], center.store.center_cards(p.person_id)
    s = _sync(center, v)
    assert [c.code for c in s.issues] == [NOT_PERMITTED]
    (c,) = s.issues
    assert (c.center_state, c.theirs, c.center_version) == (None, [], None)
    assert c.message_zh
    assert c.message_en
    assert center.store.center_cards(p.person_id) == before[1]
    assert v.pending_operations() == []  # refused, recorded, the queue moves on


def _session(center: Any, make_vault: Any) -> SessionPlan:
    plan = SessionPlan(employer=Employer(name="海口某某有限公司", credit_code=EMPLOYER), venue="单位会议室",
                       day=dt.date(2026, 12, 4), workers=("planner",), bank_branch="海南农信海口分行")
    planner = make_vault("planner")
    center.enrol(planner, "worker", "4601")
    planner.append("session.plan", subject_of(plan.session_id), {"session": plan.model_dump(mode="json")})
    assert _sync(center, planner).applied == 1
    return plan


#: role, area: every kind a device of that role may push on a subject that is not a person, by subject class
NON_PERSON = {
    "worker": ("worker", "4601", {"export": set(), "session": {"session.plan", "session.roster", "session.close"}}),
    "worker_elsewhere": ("worker", "4690", {"export": set(), "session": set()}),
    "supervisor": ("supervisor", "46", {"export": {"audit.export"},
                                        "session": {"session.plan", "session.roster", "session.close"}}),
    "employer_host": ("employer_host", None, {"export": set(), "session": {"session.roster"}}),
}


@pytest.mark.parametrize("name", list(NON_PERSON))
def test_every_role_against_every_kind_on_exports_and_sessions(center, make_vault, people, name):
    """The access matrix of test_access covers every kind on a person; this one the other subjects. A kind
    allowed here may still be refused for what it says (an empty roster or close), never for who sent it."""
    role, area, may = NON_PERSON[name]
    plan = _session(center, make_vault)
    session = subject_of(plan.session_id)
    v = make_vault("dev")
    center.enrol(v, role, area)
    ops: dict[tuple[str, str], str] = {}
    for kind in sorted(KINDS - {"conflict.resolve"}):
        ops[("export", kind)] = v.append(kind, "export:" + str(uuid.uuid4()), _export_payload()).op_id
        payload: dict[str, Any] = {"session": plan.model_dump(mode="json")} if kind == "session.plan" else \
            {"roster": {"revision": 5, "entries": []}} if kind in SESSION_KINDS else {}
        ops[("session", kind)] = v.append(kind, session, payload).op_id
    s = _sync(center, v)
    # refused for the device's rights: not permitted, or a kind the subject never takes
    refused = {c.op_id for c in s.issues if c.code in (NOT_PERMITTED, "kind_not_allowed")}
    wrong = sorted(key for key, op_id in ops.items() if (op_id in refused) == (key[1] in may[key[0]]))
    assert wrong == [], f"{name}: refused/allowed wrongly: {wrong}"
    for c in s.issues:  # whatever the reason, a refusal shows nothing of the center
        assert (c.center_state, c.theirs) == (None, [])
    assert v.pending_operations() == []


def test_an_operation_of_another_device_already_kept_tells_nothing(center, make_vault, people):
    """A device relaying another device's operation the center already holds (a copy from a transfer file, a
    lost laptop) is told only that it is not its own: not that operation's answer, nor the center's state."""

    from tests.sync.test_security import _push_raw, _req

    p = people.adult()
    center.store.load_people([p.model_dump(mode="json")], center.clock())
    center.store.assign("owner", [p.person_id], center.clock())
    center.store.assign("relay", [p.person_id], center.clock())  # even one who may read the person
    owner, relay = make_vault("owner"), make_vault("relay")
    center.enrol(owner, "worker", p.area_code[:4])
    center.enrol(relay, "worker", p.area_code[:4])
    refused = owner.append("card.issue", p.person_id, {"event": {"kind": "card.issue"}, "cards": None, "fee": None})
    assert [c.code for c in _sync(center, owner).issues] == ["kind_not_allowed"]
    r, _, _ = _push_raw(center, relay, _req(relay, [refused]))
    (answer,) = r.json()["results"]
    assert answer["code"] == "not_your_operation"
    assert answer.get("center_state") is None
