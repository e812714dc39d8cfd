"""The center's HTTP application (Starlette). Stateless over its :class:`Store`; run many side by side."""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import json
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import anyio
import anyio.to_thread
import zstandard
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from pydantic import BaseModel, ValidationError
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sync import protocol as P
from sync.center import access
from sync.center.rules import center_day
from sync.center.store import Device, Store
from sync.errors import EnrolmentRefused, EnrolmentThrottled, ReplayedRequest, StoreError, SyncError

M = TypeVar("M", bound=BaseModel)

#: Largest checkpoint a store can hold (change sequence numbers are 64-bit signed in both backends).
MAX_CHECKPOINT = 2**63 - 1


class HttpError(SyncError):
    """A refusal answered with an HTTP status and a bilingual :class:`ErrorResponse`."""

    def __init__(self, status: int, code: str, zh: str, en: str) -> None:
        super().__init__(code, message_zh=zh, message_en=en)
        self.code = code
        self.status, self.body = status, P.ErrorResponse(code=code, message_zh=zh, message_en=en)
        if status == 426:
            self.body.min_protocol_version = P.MIN_PROTOCOL_VERSION


def _too_old() -> HttpError:
    return HttpError(426, "protocol_too_old", "客户端版本过旧，请更新软件后再同步；未发送的操作已保留在本机",
                     "this client is too old: please update it, then sync again; unsent operations stay on the laptop")


def _bad(en: str, zh: str = "请求格式无效") -> HttpError:
    return HttpError(400, "bad_request", zh, en)


def _too_large() -> HttpError:
    return HttpError(413, "too_large", "请求过大", "request body too large")


def _unauth(code: str, zh: str, en: str) -> HttpError:
    return HttpError(401, code, zh, en)


def public_keys(store: Store) -> tuple[str, str]:
    keys = store.center_keys()
    sign = Ed25519PrivateKey.from_private_bytes(keys.sign_private).public_key().public_bytes(Encoding.Raw,
                                                                                            PublicFormat.Raw)
    box = X25519PrivateKey.from_private_bytes(keys.box_private).public_key().public_bytes(Encoding.Raw,
                                                                                         PublicFormat.Raw)
    return sign.hex(), box.hex()


#: Largest request body (as sent) and largest inflated body of a request that is not authenticated (enrolment):
#: far below :data:`sync.protocol.MAX_INFLATED`, which only an enrolled device's signed request may reach.
MAX_UNAUTH_BODY = 64 * 1024
#: Longest pause between two chunks of a request body, and longest time for a whole body (seconds).
BODY_IDLE_S = 15.0
BODY_TOTAL_S = 300.0
#: Requests inflated and parsed at once (each in a worker thread, never on the event loop).
PARSE_SLOTS = 4


class Center:
    """Request handling over a store, with an injectable clock (tests move time forward).

    Work before authentication is bounded: headers are checked first, the body is read with a size cap and
    timeouts, the device's signature (over the body as sent) is checked before anything is inflated, and
    inflating, parsing, the store and signing the answer all run in worker threads."""

    def __init__(self, store: Store, clock: Callable[[], dt.datetime] | None = None, *,
                 body_idle_s: float = BODY_IDLE_S, body_total_s: float = BODY_TOTAL_S) -> None:
        self.store = store
        self.clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self.body_idle_s, self.body_total_s = body_idle_s, body_total_s
        self._due_lock = threading.Lock()
        self._due_last: dt.datetime | None = None
        self._sign_key: Ed25519PrivateKey | None = None
        self._limiter: anyio.CapacityLimiter | None = None

    # -- request parsing ------------------------------------------------------------------------------
    async def _raw(self, request: Request, cap: int) -> bytes:
        proto = request.headers.get(P.HDR_PROTOCOL, "")
        if not proto.isdigit() or int(proto) < P.MIN_PROTOCOL_VERSION:
            raise _too_old()
        if int(proto) > P.PROTOCOL_VERSION:
            raise _bad("protocol version newer than this center", "客户端协议版本高于中心")
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            raise _too_large()
        chunks, size = [], 0
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.body_total_s
        stream = request.stream().__aiter__()
        try:
            while True:
                try:
                    async with asyncio.timeout(min(self.body_idle_s, max(0.0, deadline - loop.time()))):
                        chunk = await stream.__anext__()
                except StopAsyncIteration:
                    break
                except TimeoutError:
                    raise HttpError(408, "request_timeout", "请求发送过慢，已中止；请稍后重试",
                                    "the request was sent too slowly and was stopped; try again later") from None
                size += len(chunk)
                if size > cap:
                    raise _too_large()
                chunks.append(chunk)
        except ClientDisconnect:
            raise _bad("client disconnected") from None
        return b"".join(chunks)

    async def _parse(self, request: Request, raw: bytes, model: type[M], limit: int) -> M:
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(PARSE_SLOTS)
        zstd = request.headers.get("content-encoding", "").lower() == "zstd"
        return await anyio.to_thread.run_sync(functools.partial(_decode, raw, zstd, model, limit),
                                              limiter=self._limiter)

    async def _authenticate(self, request: Request, raw: bytes) -> Device:
        h = request.headers
        dev_id, ts, nonce, sig = (h.get(P.HDR_DEVICE, ""), h.get(P.HDR_TIME, ""), h.get(P.HDR_NONCE, ""),
                                  h.get(P.HDR_SIGNATURE, ""))
        device = await run_in_threadpool(self.store.device, dev_id)
        if device is None:
            raise _unauth("not_enrolled", "设备未登记", "device not enrolled")
        if device.revoked:
            raise HttpError(403, "device_revoked", "设备已被吊销", "device revoked")
        now = dt.datetime.now(dt.UTC)  # the replay window is about the wire, never the (injectable) business clock
        try:
            when = dt.datetime.fromisoformat(ts)
            if when.tzinfo is None:
                raise ValueError
            skew = abs((now - when).total_seconds())
            signed = P.signing_bytes(request.method, request.url.path, ts, nonce, raw)
            await run_in_threadpool(Ed25519PublicKey.from_public_bytes(device.public_key).verify,
                                    bytes.fromhex(sig), signed)
        except (ValueError, InvalidSignature):
            raise _unauth("bad_signature", "请求签名无效", "request signature invalid") from None
        if skew > P.REPLAY_WINDOW_S:
            err = _unauth("clock_skew", "请求时间超出允许范围，请校准电脑时间",
                          "request time outside the allowed window; check the laptop's clock")
            err.body.server_time = now.isoformat(timespec="milliseconds")  # lets the laptop correct and retry
            raise err
        try:
            await run_in_threadpool(self.store.remember_nonce, dev_id, nonce, now)
        except ReplayedRequest as exc:
            raise _unauth(exc.code, exc.message_zh, exc.message_en) from None
        return device

    async def _signed_request(self, request: Request, model: type[M]) -> tuple[M, Device]:
        """Headers first, then the body (capped), the signature over it as sent, and only then inflate and parse."""
        h = request.headers
        if not all(h.get(k) for k in (P.HDR_DEVICE, P.HDR_TIME, P.HDR_NONCE, P.HDR_SIGNATURE)) \
                or len(h.get(P.HDR_NONCE, "")) > 64 or len(h.get(P.HDR_DEVICE, "")) > 64:
            await self._raw(request, MAX_UNAUTH_BODY)  # protocol version first, as before; then refused
            raise _unauth("unsigned", "请求未签名", "request not signed")
        raw = await self._raw(request, P.MAX_BODY)
        device = await self._authenticate(request, raw)
        req = await self._parse(request, raw, model, P.MAX_INFLATED)
        if getattr(req, "device_id", None) != device.device_id:
            raise HttpError(403, "wrong_device", "请求与设备不符", "request is for another device")
        return req, device

    # -- answers --------------------------------------------------------------------------------------
    def signing_key(self) -> Ed25519PrivateKey:
        if self._sign_key is None:
            self._sign_key = Ed25519PrivateKey.from_private_bytes(self.store.center_keys().sign_private)
        return self._sign_key

    def answer(self, request: Request, status: int, body: bytes, headers: dict[str, str] | None = None) -> Response:
        """The answer with the center's signature over the request it answers and the body (before zstd)."""
        nonce = request.headers.get(P.HDR_NONCE, "")[:64]
        sig = self.signing_key().sign(P.answer_bytes(request.method, request.url.path, nonce, status, body))
        out = {**(headers or {}), P.HDR_ANSWER_SIGNATURE: sig.hex()}
        if "zstd" in request.headers.get("accept-encoding", ""):
            body = zstandard.ZstdCompressor(level=3).compress(body)
            out["content-encoding"] = "zstd"
        return Response(body, status_code=status, media_type="application/json", headers=out)

    async def _reply(self, request: Request, model: BaseModel) -> Response:
        def build() -> Response:
            body = model.model_dump_json(exclude_defaults=True).encode()  # omitted fields take their defaults
            return self.answer(request, 200, body)

        return await run_in_threadpool(build)

    # -- endpoints ------------------------------------------------------------------------------------
    async def enrol(self, request: Request) -> Response:
        raw = await self._raw(request, MAX_UNAUTH_BODY)
        req = await self._parse(request, raw, P.EnrolRequest, MAX_UNAUTH_BODY)
        try:
            device = await run_in_threadpool(self.store.enrol, req.code, req.device_id, req.worker_id,
                                             bytes.fromhex(req.public_key), self.clock(),
                                             source=request.client.host if request.client else "")
        except EnrolmentThrottled as exc:
            raise HttpError(429, exc.code, exc.message_zh, exc.message_en) from None
        except EnrolmentRefused as exc:
            raise HttpError(403, exc.code, exc.message_zh, exc.message_en) from None
        sign, box = await run_in_threadpool(public_keys, self.store)
        log = await run_in_threadpool(self.store.log_proof, 0)
        return await self._reply(request, P.EnrolResponse(
            protocol_version=P.PROTOCOL_VERSION, device_id=device.device_id, worker_id=device.worker_id,
            role=device.role, area_code=device.area_code, center_sign_key=sign, center_box_key=box, log=log))  # type: ignore[arg-type]

    async def push(self, request: Request) -> Response:
        req, device = await self._signed_request(request, P.PushRequest)
        now = self.clock()
        results = await run_in_threadpool(self.store.push, device, req.all_operations(), center_day(now), now)
        await run_in_threadpool(self.store.record_sync, device, now)
        log = await run_in_threadpool(self.store.log_proof, req.known_tree_size)
        return await self._reply(request, P.PushResponse.build(results, log))

    async def pull(self, request: Request) -> Response:
        req, device = await self._signed_request(request, P.PullRequest)
        since = int(req.since)
        if since > MAX_CHECKPOINT:  # never one this center gave out; the database could not even compare it
            raise _bad("since is beyond any checkpoint", "同步检查点无效")
        await run_in_threadpool(self.run_due)
        changes, cp, more = await run_in_threadpool(self.store.pull, device, since, req.limit)
        await run_in_threadpool(self.store.record_sync, device, self.clock())
        log = await run_in_threadpool(self.store.log_proof, req.known_tree_size)
        return await self._reply(request, P.PullResponse(protocol_version=P.PROTOCOL_VERSION, changes=changes,
                                                         checkpoint=str(cp), more=more, log=log))

    async def receipt(self, request: Request) -> Response:
        """A receipt check from an enrolled device (issue 16): the operations whose id starts with the prefix,
        each with the center's decision, and the signing device's public key; ids, kinds and hashes only."""
        req, device = await self._signed_request(request, P.ReceiptLookupRequest)
        if not access.may_check_receipts(device):
            raise HttpError(403, "not_permitted", "本设备无权核验回执", "this device may not check receipts")
        rows = await run_in_threadpool(self.store.receipt_lookup, req.op_prefix)
        key = None
        if req.key_of:
            signer = await run_in_threadpool(self.store.device, req.key_of)
            key = bytes(signer.public_key).hex() if signer is not None else None
        ops = [P.ReceiptRecord.model_validate({k: row.get(k) for k in P.ReceiptRecord.model_fields}) for row in rows]
        return await self._reply(request, P.ReceiptLookupResponse(protocol_version=P.PROTOCOL_VERSION,
                                                                  operations=ops, device_key=key))

    def run_due(self, force: bool = False) -> int:
        """Apply time-driven events from the center's clock, at most every few minutes per process."""
        now = self.clock()
        with self._due_lock:
            last = self._due_last
            if not force and last is not None and center_day(last) == center_day(now) \
                    and now - last < dt.timedelta(minutes=5):
                return 0
            self._due_last = now
        return self.store.apply_due(center_day(now), now)

    async def openapi(self, request: Request) -> Response:
        return JSONResponse(P.openapi_document())

    async def health(self, request: Request) -> Response:
        return JSONResponse({"ok": True, "protocol_version": P.PROTOCOL_VERSION})


def _decode(raw: bytes, zstd: bool, model: type[M], limit: int) -> M:
    """Inflate (at most ``limit`` bytes), parse and validate a request body; in a worker thread."""
    body = raw
    if zstd:
        try:
            body = P.inflate(raw, limit)
        except OverflowError:
            raise HttpError(413, "too_large", "请求解压后过大", "request too large when inflated") from None
        except ValueError:
            raise _bad("bad zstd body") from None
    elif len(body) > limit:
        raise _too_large()
    try:
        data = P.parse_json(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise _bad("malformed or too deeply nested JSON") from None
    if isinstance(data, dict) and isinstance(data.get("protocol_version"), int) \
            and data["protocol_version"] < P.MIN_PROTOCOL_VERSION:
        raise _too_old()
    try:
        return model.model_validate(data)
    except (ValidationError, RecursionError) as exc:
        n = exc.error_count() if isinstance(exc, ValidationError) else 1
        raise _bad(f"request does not match the schema ({n} errors)") from None


def _error_answer(request: Request, status: int, payload: dict[str, Any], headers: dict[str, str]) -> Response:
    center: Center = request.app.state.center
    return center.answer(request, status, json.dumps(payload, ensure_ascii=False).encode(), headers)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HttpError)
    headers = {"connection": "close"} if exc.status in (408, 413) else {}  # the rest of the body is not read
    return await run_in_threadpool(_error_answer, request, exc.status, exc.body.model_dump(exclude_none=True),
                                   headers)


async def _store_error(request: Request, exc: Exception) -> Response:
    code, zh, en = ("store_error", "中心暂时不可用", "center temporarily unavailable")
    if isinstance(exc, SyncError):
        code = exc.code
    payload = {"code": code, "message_zh": zh, "message_en": en}
    try:
        return await run_in_threadpool(_error_answer, request, 503, payload, {"retry-after": "5"})
    except Exception:  # the keys live in the store that just failed: answer unsigned (5xx is only retried)
        return JSONResponse(payload, status_code=503, headers={"retry-after": "5"})


def create_app(store: Store, clock: Callable[[], dt.datetime] | None = None, *,
               body_idle_s: float = BODY_IDLE_S, body_total_s: float = BODY_TOTAL_S) -> Starlette:
    center = Center(store, clock, body_idle_s=body_idle_s, body_total_s=body_total_s)
    routes = [
        Route("/openapi.json", center.openapi, methods=["GET"]),
        Route("/v1/health", center.health, methods=["GET"]),
        Route("/v1/enrol", center.enrol, methods=["POST"]),
        Route("/v1/push", center.push, methods=["POST"]),
        Route("/v1/pull", center.pull, methods=["POST"]),
        Route("/v1/receipt", center.receipt, methods=["POST"]),
    ]
    handlers: dict[Any, Any] = {HttpError: _http_error, StoreError: _store_error}
    app = Starlette(routes=routes, exception_handlers=handlers)
    app.state.center = center
    return app
