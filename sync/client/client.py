"""The laptop's sync client: enrol once, then ``sync_once`` whenever there is a link.

``sync_once`` pushes the vault's outbox in device-order batches, records each answer, then pulls pages of
center changes; every step may be cut at any byte and simply retried (the center deduplicates by op_id and
the vault stores each pulled page with its checkpoint in one transaction).
"""

from __future__ import annotations

import datetime as dt
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from sync import protocol as P
from sync.client import trust
from sync.errors import (
    AuthRefused,
    BadResponse,
    Cancelled,
    CenterUnreachable,
    NotEnrolled,
    ProtocolTooOld,
    SyncError,
)

M = TypeVar("M", bound=BaseModel)


def _utcnow() -> dt.datetime:
    """The laptop's clock (one place, so tests can put it weeks off)."""
    return dt.datetime.now(dt.UTC)


@dataclass
class Conflict:
    """What a person needs to settle a conflict or a rejection: base, mine, theirs, who and when."""

    op_id: str
    status: str
    kind: str
    subject: str
    code: str | None
    message_zh: str | None
    message_en: str | None
    base_version: int | None
    center_version: int | None
    mine: dict[str, Any]
    theirs: list[dict[str, Any]]
    center_state: dict[str, Any] | None


@dataclass
class Progress:
    phase: str  # "push" | "pull"
    done: int
    total: int | None


@dataclass
class SyncSummary:
    applied: int = 0
    applied_with_conflict: int = 0
    duplicate: int = 0
    rejected: int = 0
    pulled: int = 0
    cancelled: bool = False
    errors: list[str] = field(default_factory=list)
    issues: list[Conflict] = field(default_factory=list)
    """Rejections and conflicts of this sync, with base/mine/theirs for the person who settles them."""

    @property
    def pushed(self) -> int:
        return self.applied + self.applied_with_conflict + self.duplicate + self.rejected

    @property
    def conflicts(self) -> int:
        return self.applied_with_conflict

    def as_dict(self) -> dict[str, Any]:
        return {"applied": self.applied, "applied_with_conflict": self.applied_with_conflict,
                "duplicate": self.duplicate, "rejected": self.rejected, "pulled": self.pulled,
                "pushed": self.pushed, "cancelled": self.cancelled, "errors": list(self.errors),
                "issues": [c.__dict__ for c in self.issues]}


class CenterClient:
    """HTTP to the center with retries, signing and compression. ``transport`` is injectable for tests."""

    def __init__(self, url: str, *, transport: httpx.BaseTransport | None = None, timeout: float = 30.0,
                 retries: int = 6, backoff: float = 0.5, cancel: threading.Event | None = None,
                 sleep: Callable[[float], None] = time.sleep, center_key: str | None = None) -> None:
        self.http = httpx.Client(base_url=url.rstrip("/"), transport=transport, timeout=timeout)
        #: The center's Ed25519 key pinned at enrolment (hex): signed requests' answers must carry its signature.
        self.center_key = center_key
        self.retries, self.backoff, self.sleep = retries, backoff, sleep
        self.cancel = cancel or threading.Event()
        #: Center time minus laptop time, learnt from a clock_skew answer (laptops offline for weeks drift).
        self.clock_offset = dt.timedelta()

    def close(self) -> None:
        self.http.close()

    def call(self, path: str, req: BaseModel, resp_model: type[M], signer: trust.Signer | None = None,
             device_id: str = "") -> M:
        """POST with retries on transport errors and 5xx. Raises SyncError subclasses."""
        body = P.encode_body(req)
        last = ""
        for attempt in range(self.retries + 1):
            if self.cancel.is_set():
                raise Cancelled()
            headers = {P.HDR_PROTOCOL: str(P.PROTOCOL_VERSION), "content-encoding": "zstd",
                       "content-type": "application/json", "accept-encoding": "zstd"}
            if signer is not None:
                now = (_utcnow() + self.clock_offset).isoformat(timespec="milliseconds")
                headers.update(trust.signed_headers(signer, device_id, "POST", path, body, now))
            try:
                r = self.http.post(path, content=body, headers=headers)
                if r.status_code < 500 and signer is not None and self.center_key:
                    trust.verify_answer(self.center_key, "POST", path, headers[P.HDR_NONCE], r.status_code,
                                        r.content, r.headers.get(P.HDR_ANSWER_SIGNATURE, ""))
                if r.status_code == 401 and self._learn_clock(r) and attempt < self.retries:
                    continue
                if r.status_code < 500:
                    return self._answer(r, resp_model)
                last = f"HTTP {r.status_code}"
            except httpx.TransportError as exc:
                last = type(exc).__name__
            except httpx.DecodingError:
                last = "decoding"
            if attempt < self.retries:
                delay = min(30.0, self.backoff * 2**attempt) * (0.5 + random.random() / 2)
                if self.cancel.wait(delay):
                    raise Cancelled()
        raise CenterUnreachable(last)

    def _learn_clock(self, r: httpx.Response) -> bool:
        """True when the center refused our clock and told its own: the next attempt uses its time."""
        try:
            err = P.ErrorResponse.model_validate_json(r.content)
            if err.code != "clock_skew" or not err.server_time:
                return False
            center = dt.datetime.fromisoformat(err.server_time)
        except (ValidationError, ValueError):
            return False
        self.clock_offset = center - _utcnow()
        return True

    @staticmethod
    def _answer(r: httpx.Response, resp_model: type[M]) -> M:
        if r.status_code == 200:
            try:
                return resp_model.model_validate_json(r.content)
            except ValidationError:
                raise BadResponse("schema") from None
        try:
            err = P.ErrorResponse.model_validate_json(r.content)
            detail = f"{err.code}"
            zh, en = err.message_zh, err.message_en
        except ValidationError:
            detail, zh, en = f"HTTP {r.status_code}", None, None
        if r.status_code == 426:
            raise ProtocolTooOld(detail, message_zh=zh, message_en=en)
        if r.status_code in (401, 403, 429):
            raise AuthRefused(detail, message_zh=zh, message_en=en)
        raise BadResponse(f"HTTP {r.status_code} {detail}", message_zh=zh, message_en=en)


def enrol(vault: trust.VaultLike, url: str, code: str, *, transport: httpx.BaseTransport | None = None) -> P.EnrolResponse:
    """Enrol this laptop with a one-time code; remembers the center's keys and first checkpoint in the vault.

    Raises:
        AuthRefused: the code is refused. CenterUnreachable, BadResponse, ProtocolTooOld.
    """
    client = CenterClient(url, transport=transport, retries=3)
    try:
        req = P.EnrolRequest(protocol_version=P.PROTOCOL_VERSION, code=code.strip(), device_id=vault.device_id,
                             worker_id=vault.worker_id, public_key=vault.public_key.hex())
        resp = client.call("/v1/enrol", req, P.EnrolResponse)
    finally:
        client.close()
    for k, v in ((trust.META_URL, url), (trust.META_SIGN_KEY, resp.center_sign_key),
                 (trust.META_BOX_KEY, resp.center_box_key), (trust.META_ROLE, resp.role),
                 (trust.META_AREA, resp.area_code or "")):
        vault.set_meta(k, v)
    trust.verify_log(vault, resp.log)
    trust.save_log(vault, resp.log)
    return resp


def conflict_of(op: Any, res: P.OpResult) -> Conflict:
    return Conflict(op_id=res.op_id, status=res.status, kind=op.kind, subject=op.subject, code=res.code,
                    message_zh=res.message_zh, message_en=res.message_en, base_version=res.base_version,
                    center_version=res.center_version, mine=dict(op.payload),
                    theirs=[t.model_dump() for t in res.theirs], center_state=res.center_state)


def sync_once(vault: trust.VaultLike, url: str | None = None, *, transport: httpx.BaseTransport | None = None,
              progress: Callable[[Progress], None] | None = None, cancel: threading.Event | None = None,
              batch_size: int = 200, page_size: int = 500, retries: int = 6, backoff: float = 0.5,
              timeout: float = 30.0) -> SyncSummary:
    """Push the outbox, then pull. Never raises for network trouble: errors are in the summary.

    Raises:
        NotEnrolled: the vault has no center yet.
        ProtocolTooOld: the center wants a newer client (operations stay in the outbox).
        LogRewritten: the center's log does not extend what this laptop saw (nothing recorded from it).
        BadResponse: an answer without the center's valid signature (altered on the way: nothing applied).
        AuthRefused: the center refuses this device (revoked, unknown).
    """
    url = url or vault.get_meta(trust.META_URL)
    if not url or not vault.get_meta(trust.META_SIGN_KEY):
        raise NotEnrolled()
    summary = SyncSummary()
    client = CenterClient(url, transport=transport, timeout=timeout, retries=retries, backoff=backoff, cancel=cancel,
                          center_key=vault.get_meta(trust.META_SIGN_KEY))
    signer = trust.device_signer(vault)
    report = progress or (lambda p: None)
    try:
        _push(vault, client, signer, summary, report, batch_size)
        _pull(vault, client, signer, summary, report, page_size)
    except Cancelled:
        summary.cancelled = True
    except CenterUnreachable as exc:
        summary.errors.append(exc.text())
    except (ProtocolTooOld, AuthRefused, BadResponse) as exc:
        summary.errors.append(exc.text())
        if isinstance(exc, AuthRefused) and exc.detail == "device_revoked" and not vault.get_meta(trust.META_REVOKED):
            vault.set_meta(trust.META_REVOKED, _utcnow().isoformat())  # the laptop now knows it is revoked
        raise
    finally:
        client.close()
    return summary


def _push(vault: trust.VaultLike, client: CenterClient, signer: trust.Signer, summary: SyncSummary,
          report: Callable[[Progress], None], batch_size: int) -> None:
    pending_count = getattr(vault, "pending_count", None)
    total = pending_count() if callable(pending_count) else None
    done = 0
    while True:
        if client.cancel.is_set():
            raise Cancelled()
        ops = vault.pending_operations(batch_size)
        if not ops:
            return
        size, _ = trust.known_log(vault)
        req = P.PushRequest.compact(vault.device_id, size, ops)
        try:
            resp = client.call("/v1/push", req, P.PushResponse, signer, vault.device_id)
        except BadResponse as exc:
            if "413" in exc.detail and batch_size > 1:
                batch_size = max(1, batch_size // 4)
                continue
            raise
        trust.verify_log(vault, resp.log)
        by_id = {op.op_id: op for op in ops}
        try:
            results = resp.expand([op.op_id for op in ops])
        except ValueError:
            raise BadResponse("answers do not match the batch") from None
        vault.record_push_results([r.model_dump(exclude_none=True) for r in results])
        trust.save_log(vault, resp.log)
        for r in results:
            setattr(summary, r.status, getattr(summary, r.status) + 1)
            if r.status in ("rejected", "applied_with_conflict"):
                summary.issues.append(conflict_of(by_id[r.op_id], r))
        done += len(ops)
        report(Progress("push", done, total))


def _pull(vault: trust.VaultLike, client: CenterClient, signer: trust.Signer, summary: SyncSummary,
          report: Callable[[Progress], None], page_size: int = 500) -> None:
    while True:
        if client.cancel.is_set():
            raise Cancelled()
        since = vault.pull_checkpoint() or "0"
        size, _ = trust.known_log(vault)
        req = P.PullRequest(protocol_version=P.PROTOCOL_VERSION, device_id=vault.device_id, since=since,
                            limit=page_size, known_tree_size=size)
        resp = client.call("/v1/pull", req, P.PullResponse, signer, vault.device_id)
        trust.verify_log(vault, resp.log)
        vault.apply_pulled([c.model_dump(mode="json") for c in resp.changes], resp.checkpoint)
        trust.save_log(vault, resp.log)
        summary.pulled += len(resp.changes)
        report(Progress("pull", summary.pulled, None))
        if not resp.more:
            return


def receipt_lookup(vault: trust.VaultLike, op_prefix: str, key_of: str | None = None, *, url: str | None = None,
                   transport: httpx.BaseTransport | None = None, timeout: float = 10.0,
                   retries: int = 1) -> P.ReceiptLookupResponse:
    """Ask the center about a person's receipt (issue 16): its operations whose id starts with ``op_prefix``,
    with the center's decision, and the public key of ``key_of`` (the device that signed a QR code).

    One signed request, few retries: someone is waiting at the door or on the phone.

    Raises:
        NotEnrolled: the vault has no center. CenterUnreachable, AuthRefused, BadResponse, ProtocolTooOld.
    """
    url = url or vault.get_meta(trust.META_URL)
    if not url or not vault.get_meta(trust.META_SIGN_KEY):
        raise NotEnrolled()
    client = CenterClient(url, transport=transport, timeout=timeout, retries=retries, backoff=0.2,
                          center_key=vault.get_meta(trust.META_SIGN_KEY))
    try:
        req = P.ReceiptLookupRequest(protocol_version=P.PROTOCOL_VERSION, device_id=vault.device_id,
                                     op_prefix=op_prefix, key_of=key_of)
        return client.call("/v1/receipt", req, P.ReceiptLookupResponse, trust.device_signer(vault), vault.device_id)
    finally:
        client.close()


class SyncClient:
    """What the app's "sync now" holds (``outreach.services`` SyncPort): ``sync_once(progress=, cancel=)`` with
    ``progress(stage, done, total)``; returns a :class:`SyncSummary` (``pushed``, ``pulled``, ``rejected``,
    ``conflicts`` counts and ``issues`` with the conflict details)."""

    def __init__(self, vault: trust.VaultLike, url: str | None = None, *,
                 transport: httpx.BaseTransport | None = None, batch_size: int = 200) -> None:
        self.vault, self.url, self.transport, self.batch_size = vault, url, transport, batch_size

    def sync_once(self, *, progress: Callable[[str, int, int], None] | None = None,
                  cancel: threading.Event | None = None) -> SyncSummary:
        def report(p: Progress) -> None:
            if progress is not None:
                progress(p.phase, p.done, p.total if p.total is not None else p.done)

        return sync_once(self.vault, self.url, transport=self.transport, progress=report, cancel=cancel,
                         batch_size=self.batch_size)


__all__ = ["CenterClient", "Conflict", "Progress", "SyncError", "SyncClient", "SyncSummary", "enrol", "receipt_lookup",
           "sync_once"]
