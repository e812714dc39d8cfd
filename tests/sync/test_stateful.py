"""Several laptops going on and offline against one center, checked against a reference model.

Random steps: a laptop records a person update, a visit, or a card application (offline); a laptop syncs
over a link that may fail before the center sees the request or after it answered. Invariants after every
step: the center holds each operation at most once, and only operations the laptops made; nothing a laptop
counts as delivered is missing at the center; at most one live card per person at the center; every
rejection or conflict the center decided is listed on its laptop until resolved. At the end, with a clean
link: all operations at the center exactly once, every outbox empty, laptops agree with the center."""

from __future__ import annotations

import datetime as dt
import random
import tempfile
from pathlib import Path

import httpx
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

import storage.keys
from outreach.domain import LIVE_STATUSES, PersonCards
from storage import Vault
from sync.center.sqlite_store import SqliteStore
from sync.client.client import enrol, sync_once
from tests.support.vaults import PASSPHRASE, cheap_derive
from tests.sync.conftest import Center, People

N_DEVICES = 3
_real_derive = storage.keys.derive_key


class FlakyTransport(httpx.BaseTransport):
    """Fails before the request reaches the center, or after the center answered (the answer is lost)."""

    def __init__(self, inner: httpx.BaseTransport, rng: random.Random, p_fail: float) -> None:
        self.inner, self.rng, self.p_fail = inner, rng, p_fail

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        roll = self.rng.random()
        if roll < self.p_fail / 2:
            raise httpx.ConnectError("link down")
        response = self.inner.handle_request(request)
        if roll < self.p_fail:
            raise httpx.ReadError("answer lost")
        return response


class SyncMachine(RuleBasedStateMachine):
    @initialize(seed=st.integers(0, 2**16))
    def setup(self, seed: int) -> None:
        storage.keys.derive_key = cheap_derive  # type: ignore[assignment]
        self.tmp = Path(tempfile.mkdtemp(prefix="sync-stateful-"))
        self.store = SqliteStore(self.tmp / "center.db")
        self.store.init_schema()
        self.center = Center(self.store)
        self.rng = random.Random(seed)
        self.people_gen = People(seed)
        self.people = [self.people_gen.person() for _ in range(3)]
        self.store.load_people([p.model_dump(mode="json") for p in self.people], self.center.clock())
        self.vaults: list[Vault] = []
        for i in range(N_DEVICES):
            v = Vault.create(self.tmp / f"v{i}.db", PASSPHRASE, worker_id=f"w{i}")
            code = self.store.create_enrol_code(f"w{i}", "worker", None, dt.timedelta(hours=1))
            enrol(v, self.center.url, code, transport=self.center.transport)
            self.store.assign(f"w{i}", [p.person_id for p in self.people], self.center.clock())
            self.vaults.append(v)
        self.made: dict[str, str] = {}  # op_id -> device

    def teardown(self) -> None:
        if not hasattr(self, "vaults"):
            return
        try:
            for v in self.vaults:  # a clean link at last: everything converges
                for _ in range(3):
                    sync_once(v, self.center.url, transport=self.center.transport, retries=0)
            for v in self.vaults:  # a second round pulls what the others pushed last
                sync_once(v, self.center.url, transport=self.center.transport, retries=0)
            recorded = self.store.operations()
            assert {op.op_id: op.device_id for op in recorded} == self.made  # exactly once, all of them
            for v in self.vaults:
                assert v.pending_operations() == []
                for p in self.people:
                    center_cards = self._center_cards(p.person_id)
                    mine = v.person_cards(p.person_id)
                    if center_cards is not None and center_cards.cards:
                        assert mine is not None
                        assert [c.status for c in mine.cards] == [c.status for c in center_cards.cards]
        finally:
            for v in self.vaults:
                v.close()
            self.center.bridge.close()
            self.store.close()
            storage.keys.derive_key = _real_derive  # type: ignore[assignment]

    def _center_cards(self, pid: str) -> PersonCards | None:
        cards = self.store.center_cards(pid)
        return PersonCards.model_validate(cards) if cards else None

    @rule(d=st.integers(0, N_DEVICES - 1), who=st.integers(0, 2), mobile=st.integers(10**9, 2 * 10**9))
    def update_person(self, d: int, who: int, mobile: int) -> None:
        v, p = self.vaults[d], self.people[who]
        current = v.get_person(p.person_id) or p
        changed = current.model_copy(update={"mobile": f"13{mobile:09d}"[:11]})
        op = v.append("person.update", p.person_id, {"person": changed.model_dump(mode="json")})
        self.made[op.op_id] = v.device_id

    @rule(d=st.integers(0, N_DEVICES - 1), who=st.integers(0, 2))
    def apply_card(self, d: int, who: int) -> None:
        v, p = self.vaults[d], self.people[who]
        op = self.people_gen.apply(v, p)
        self.made[op.op_id] = v.device_id

    @rule(d=st.integers(0, N_DEVICES - 1), p_fail=st.sampled_from([0.0, 0.3, 0.7]))
    def sync(self, d: int, p_fail: float) -> None:
        flaky = FlakyTransport(self.center.transport, self.rng, p_fail)
        sync_once(self.vaults[d], self.center.url, transport=flaky, retries=1, backoff=0.0, batch_size=3)

    @precondition(lambda self: hasattr(self, "vaults"))
    @invariant()
    def at_most_once_and_nothing_lost(self) -> None:
        rows = self.store.operations()
        at_center = {op.op_id: op.device_id for op in rows}
        assert len(at_center) == len(rows)
        assert set(at_center.items()) <= set(self.made.items())
        for v in self.vaults:
            pending = {op.op_id for op in v.pending_operations(10_000)}
            delivered = {o["op_id"] for o in v.op_outcomes()}
            assert delivered <= set(at_center)  # acknowledged means at the center
            mine = {k for k, dev in self.made.items() if dev == v.device_id}
            assert pending | delivered == mine
            open_ids = {o["op_id"] for o in v.op_outcomes(open_only=True)}
            decided = {op.op_id for op in rows if op.device_id == v.device_id
                       and op.status in ("rejected", "applied_with_conflict")}
            assert open_ids == decided & delivered  # every conflict surfaced once it reached the laptop
        for p in self.people:
            cards = self._center_cards(p.person_id)
            if cards is not None:
                assert sum(c.status in LIVE_STATUSES for c in cards.cards) <= 1


SyncMachine.TestCase.settings = settings(max_examples=12, stateful_step_count=15, deadline=None)
TestSyncStateful = SyncMachine.TestCase
