"""Sync now: push the outbox, pull changes, report progress, stop cleanly when cancelled."""

from __future__ import annotations

import threading
from collections.abc import Callable

from outreach.services import home
from outreach.services.clock import Clock
from outreach.services.errors import ServiceError, Unavailable
from outreach.services.ports import SyncPort, VaultPort
from outreach.services.session import VaultSession
from outreach.services.views import Bilingual, OpIssue, SyncProgress, SyncSummary

SyncFactory = Callable[[VaultPort], SyncPort | None]
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
        except Exception as exc:  # the sync layer's errors carry words for the worker; show them
            return SyncSummary(error_key="sync.failed", error_detail=_words(exc), issues=self.issues(),
                               cancelled=cancel.is_set())
        errors = list(result.errors)
        now = self._clock.now()
        if not cancel.is_set() and not errors:
            self._session.vault.set_meta(home.LAST_SYNC_META, now.isoformat())
        return SyncSummary(
            error_key="sync.failed" if errors and not result.pushed else None,
            pushed=result.pushed,
            pulled=result.pulled,
            rejected=result.rejected,
            conflicts=result.conflicts,
            cancelled=cancel.is_set() or result.cancelled,
            issues=self.issues(),
            finished_at=now,
        )

    def enrol(self, url: str, code: str) -> None:
        """Enrol this laptop with the center using a one-time code (from the supervisor).

        Raises:
            ServiceError ``sync.enrol_failed`` with the sync layer's words (code refused, center unreachable).
        """
        from sync.client.client import enrol

        try:
            enrol(self._session.vault, url, code)
        except Exception as exc:
            raise ServiceError("sync.enrol_failed", detail=_pair(exc)) from None
        self._client = None  # the next sync builds a client for the new center

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
        return op.op_id


def _pair(exc: BaseException) -> tuple[str, str] | None:
    zh, en = getattr(exc, "message_zh", None), getattr(exc, "message_en", None)
    return (str(zh), str(en)) if zh and en else None


def _words(exc: BaseException) -> Bilingual | None:
    pair = _pair(exc)
    return Bilingual(*pair) if pair else None


def require(client: SyncPort | None) -> SyncPort:
    if client is None:
        raise Unavailable("sync.unavailable")
    return client
