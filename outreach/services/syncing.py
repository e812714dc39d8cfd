"""Sync now: push the outbox, pull changes, report progress, stop cleanly when cancelled."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from urllib.parse import urlsplit

from outreach.services import home, merging
from outreach.services._access import integer, obj
from outreach.services.clock import Clock
from outreach.services.errors import ServiceError, Unavailable
from outreach.services.ports import JSONObject, SyncPort, VaultPort
from outreach.services.session import VaultSession
from outreach.services.views import Bilingual, OpIssue, Resolution, SyncProgress, SyncSummary

SyncFactory = Callable[[VaultPort], SyncPort | None]
"""Builds the sync client for an open vault; None when there is no center (not enrolled, demo without one)."""


class SyncService:
    def __init__(self, session: VaultSession, clock: Clock, factory: SyncFactory | None = None) -> None:
        self._session = session
        self._clock = clock
        self._factory = factory
        self._client: SyncPort | None = None
        self._client_vault: VaultPort | None = None

    @property
    def available(self) -> bool:
        try:
            return self._get_client() is not None
        except ServiceError:
            return False

    def _get_client(self) -> SyncPort | None:
        vault = self._session.vault
        if self._client is not None and self._client_vault is not vault:  # another vault took its place (salvage)
            self._client = None
        if self._client is None and self._factory is not None:
            self._client = self._factory(vault)
            self._client_vault = vault
        return self._client

    def run(
        self, progress: Callable[[SyncProgress], None] | None = None, cancel: threading.Event | None = None
    ) -> SyncSummary:
        """One sync; never raises for a missing or unreachable center: the summary says so."""
        cancel = cancel or threading.Event()
        if self._session.damaged:  # nothing is sent from, or pulled into, a damaged vault (salvage it first)
            return SyncSummary(error_key="sync.damaged", issues=self.issues())
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

    def reachable(self, timeout: float = 1.5) -> bool:
        """Whether the enrolled center accepts a connection now: a TCP connect, no request, nothing sent. Cheap
        enough to ask every few seconds, so a sync can start as soon as a connection appears."""
        from sync.client.trust import META_URL

        url = self._session.vault.get_meta(META_URL) if self._session.is_open else None
        if not url:
            return False
        parts = urlsplit(url)
        if not parts.hostname:
            return False
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            socket.create_connection((parts.hostname, port), timeout=timeout).close()
        except OSError:
            return False
        return True

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

    def resolve(self, issue: OpIssue, choice: str, note: str = "") -> Resolution:
        """Close a rejected/conflicting operation, doing what the worker chose:

        - ``mine``: send my operation again, as a new operation on the state this laptop knows now (the center
          decides it afresh at the next sync; a refusal comes back as a new issue);
        - ``theirs``: take the center's: for a person's data, an update restoring the value the center had
          before mine overwrote it; for cards, the center's cards replace my provisional ones here;
        - ``new``: close it; the worker starts a new operation from the person's page;
        - ``merge`` (a registration the center refused as ``duplicate_person``): the duplicate's operations are
          re-made on the registered person and the duplicate is retired (:mod:`outreach.services.merging`).
        """
        if choice not in ("mine", "theirs", "new", "merge"):
            raise ServiceError("error.generic")
        vault = self._session.vault
        if choice == "merge":
            merged = merging.merge(vault, issue, self._clock.today(), note)
            held = vault.person_cards(merged.into)
            return Resolution(
                choice=choice, resolve_op_id=merged.closed[-1], merged_into=merged.into, remade=len(merged.remade),
                refused=tuple(merged.refused),
                cards=home.side_cards([c.model_dump(mode="json") for c in held.cards]) if held is not None else None,
            )
        resent: str | None = None
        center: JSONObject = issue.theirs or {}
        their_person = obj(center.get("person"))
        if choice == "mine" and issue.mine:
            resent = vault.append(issue.kind, issue.subject, dict(issue.mine)).op_id
        elif choice == "theirs" and issue.mine_person is not None and their_person is not None:
            restored = {**their_person, "person_id": issue.subject}
            resent = vault.append("person.update", issue.subject, {"person": restored}).op_id
        elif choice == "theirs" and isinstance(center.get("cards"), list):
            state = {**center, "person_id": issue.subject}
            vault.apply_pulled([{"type": "cards", "id": issue.subject, "version": integer(center.get("version")) or 0,
                                 "data": state}], checkpoint=vault.pull_checkpoint() or "0")
        op = vault.append("conflict.resolve", issue.subject,
                          {"op_id": issue.op_id, "choice": choice, "note": note,
                           **({"resent_op_id": resent} if resent else {})},
                          base_version=vault.subject_version(issue.subject))
        found = vault.get_person(issue.subject)
        person = found.model_dump(mode="json") if found is not None else None
        fields = sorted(issue.mine_person or {})
        held = vault.person_cards(issue.subject)
        return Resolution(
            choice=choice, resolve_op_id=op.op_id, resent_op_id=resent,
            restored={k: home.shown_field(k, person.get(k)) for k in fields} if person is not None and fields else None,
            cards=home.side_cards([c.model_dump(mode="json") for c in held.cards]) if held is not None else None,
        )


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
