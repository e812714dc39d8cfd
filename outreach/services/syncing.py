"""Sync now: push the outbox, pull changes, report progress, stop cleanly when cancelled."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from outreach.services import home
from outreach.services._access import get
from outreach.services.clock import Clock
from outreach.services.errors import ServiceError, Unavailable
from outreach.services.ports import SyncPort
from outreach.services.session import VaultSession
from outreach.services.views import OpIssue, SyncProgress, SyncSummary

SyncFactory = Callable[[Any], SyncPort | None]
"""Builds the sync client for an open vault; None when there is no center (not enrolled, demo without one)."""


class SyncService:
    def __init__(self, session: VaultSession, clock: Clock, factory: SyncFactory | None = None) -> None:
        self._session = session
        self._clock = clock
        self._factory = factory
        self._client: SyncPort | None = None

    @property
    def available(self) -> bool:
        try:
            return self._get_client() is not None
        except ServiceError:
            return False

    def _get_client(self) -> SyncPort | None:
        if self._client is None and self._factory is not None:
            self._client = self._factory(self._session.vault)
        return self._client

    def run(
        self, progress: Callable[[SyncProgress], None] | None = None, cancel: threading.Event | None = None
    ) -> SyncSummary:
        """One sync; never raises for a missing or unreachable center: the summary says so."""
        cancel = cancel or threading.Event()
        try:
            client = self._get_client()
        except Exception:  # building the client touches the network and keys; report, do not crash
            client = None
        if client is None:
            return SyncSummary(error_key="sync.unavailable", issues=self.issues())

        def report(stage: str, done: int, total: int) -> None:
            if progress is not None:
                progress(SyncProgress(stage, done, total))

        try:
            result = client.sync_once(progress=report, cancel=cancel)
        except Exception as exc:
            key = getattr(exc, "key", None) or "sync.failed"
            return SyncSummary(error_key=str(key) if str(key).startswith("sync.") else "sync.failed",
                               issues=self.issues(), cancelled=cancel.is_set())
        now = self._clock.now()
        if not cancel.is_set():
            self._session.vault.set_meta(home.LAST_SYNC_META, now.isoformat())
        return SyncSummary(
            pushed=int(get(result, "pushed", 0)),
            pulled=int(get(result, "pulled", 0)),
            rejected=int(get(result, "rejected", 0)),
            conflicts=int(get(result, "conflicts", 0)),
            cancelled=cancel.is_set() or bool(get(result, "cancelled", False)),
            issues=self.issues(),
            finished_at=now,
        )

    def issues(self) -> list[OpIssue]:
        try:
            return home.open_issues(self._session)
        except ServiceError:
            return []

    def resolve(self, issue: OpIssue, choice: str, note: str = "") -> str:
        """Close a rejected/conflicting operation: keep ``mine`` (send again), take ``theirs``, or ``new``."""
        if choice not in ("mine", "theirs", "new"):
            raise ServiceError("error.generic")
        vault = self._session.vault
        op = vault.append("conflict.resolve", issue.subject,
                          {"op_id": issue.op_id, "choice": choice, "note": note},
                          base_version=vault.subject_version(issue.subject))
        return str(get(op, "op_id"))


def require(client: SyncPort | None) -> SyncPort:
    if client is None:
        raise Unavailable("sync.unavailable")
    return client
