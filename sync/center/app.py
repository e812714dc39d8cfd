"""The center's HTTP application (Starlette). Stateless over its :class:`Store`; run many side by side."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any, TypeVar

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


def _unauth(code: str, zh: str, en: str) -> HttpError:
    return HttpError(401, code, zh, en)


def public_keys(store: Store) -> tuple[str, str]:
    keys = store.center_keys()
    sign = Ed25519PrivateKey.from_private_bytes(keys.sign_private).public_key().public_bytes(Encoding.Raw,
                                                                                            PublicFormat.Raw)
    box = X25519PrivateKey.from_private_bytes(keys.box_private).public_key().public_bytes(Encoding.Raw,
                                                                                         PublicFormat.Raw)
    return sign.hex(), box.hex()


class Center:
    """Request handling over a store, with an injectable clock (tests move time forward)."""

    def __init__(self, store: Store, clock: Callable[[], dt.datetime] | None = None) -> None:
        self.store = store
        self.clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self._due_lock = threading.Lock()
        self._due_last: dt.datetime | None = None

    # -- request parsing ------------------------------------------------------------------------------
    async def _read(self, request: Request, model: type[M]) -> tuple[M, bytes]:
        proto = request.headers.get(P.HDR_PROTOCOL, "")
        if not proto.isdigit() or int(proto) < P.MIN_PROTOCOL_VERSION:
            raise _too_old()
        if int(proto) > P.PROTOCOL_VERSION:
            raise _bad("protocol version newer than this center", "客户端协议版本高于中心")
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > P.MAX_BODY:
            raise HttpError(413, "too_large", "请求过大", "request body too large")
        chunks, size = [], 0
        try:
            async for chunk in request.stream():
                size += len(chunk)
                if size > P.MAX_BODY:
                    raise HttpError(413, "too_large", "请求过大", "request body too large")
                chunks.append(chunk)
        except ClientDisconnect:
            raise _bad("client disconnected") from None
        raw = b"".join(chunks)
        body = raw
        if request.headers.get("content-encoding", "").lower() == "zstd":
            try:
                body = P.inflate(raw)
            except OverflowError:
                raise HttpError(413, "too_large", "请求解压后过大", "request too large when inflated") from None
            except ValueError:
                raise _bad("bad zstd body") from None
        try:
            data = P.parse_json(body)
        except (ValueError, UnicodeDecodeError, RecursionError):
            raise _bad("malformed or too deeply nested JSON") from None
        if isinstance(data, dict) and isinstance(data.get("protocol_version"), int) \
                and data["protocol_version"] < P.MIN_PROTOCOL_VERSION:
            raise _too_old()
        try:
            return model.model_validate(data), raw
        except (ValidationError, RecursionError) as exc:
            n = exc.error_count() if isinstance(exc, ValidationError) else 1
            raise _bad(f"request does not match the schema ({n} errors)") from None

    async def _authenticate(self, request: Request, raw: bytes, device_id: str) -> Device:
        h = request.headers
        dev_id, ts, nonce, sig = (h.get(P.HDR_DEVICE, ""), h.get(P.HDR_TIME, ""), h.get(P.HDR_NONCE, ""),
                                  h.get(P.HDR_SIGNATURE, ""))
        if not (dev_id and ts and nonce and sig) or len(nonce) > 64:
            raise _unauth("unsigned", "请求未签名", "request not signed")
        device = await run_in_threadpool(self.store.device, dev_id)
        if device is None:
            raise _unauth("not_enrolled", "设备未登记", "device not enrolled")
        if device.revoked:
            raise HttpError(403, "device_revoked", "设备已被吊销", "device revoked")
        if dev_id != device_id:
            raise HttpError(403, "wrong_device", "请求与设备不符", "request is for another device")
        now = dt.datetime.now(dt.UTC)  # the replay window is about the wire, never the (injectable) business clock
        try:
            when = dt.datetime.fromisoformat(ts)
            if when.tzinfo is None:
                raise ValueError
            skew = abs((now - when).total_seconds())
            Ed25519PublicKey.from_public_bytes(device.public_key).verify(
                bytes.fromhex(sig), P.signing_bytes(request.method, request.url.path, ts, nonce, raw))
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

    # -- endpoints ------------------------------------------------------------------------------------
    async def enrol(self, request: Request) -> Response:
        req, _ = await self._read(request, P.EnrolRequest)
        try:
            device = await run_in_threadpool(self.store.enrol, req.code, req.device_id, req.worker_id,
                                             bytes.fromhex(req.public_key), self.clock())
        except EnrolmentThrottled as exc:
            raise HttpError(429, exc.code, exc.message_zh, exc.message_en) from None
        except EnrolmentRefused as exc:
            raise HttpError(403, exc.code, exc.message_zh, exc.message_en) from None
        sign, box = await run_in_threadpool(public_keys, self.store)
        log = await run_in_threadpool(self.store.log_proof, 0)
        return _reply(request, P.EnrolResponse(
            protocol_version=P.PROTOCOL_VERSION, device_id=device.device_id, worker_id=device.worker_id,
            role=device.role, area_code=device.area_code, center_sign_key=sign, center_box_key=box, log=log))  # type: ignore[arg-type]

    async def push(self, request: Request) -> Response:
        req, raw = await self._read(request, P.PushRequest)
        device = await self._authenticate(request, raw, req.device_id)
        now = self.clock()
        results = await run_in_threadpool(self.store.push, device, list(req.operations), center_day(now), now)
        log = await run_in_threadpool(self.store.log_proof, req.known_tree_size)
        return _reply(request, P.PushResponse.build(results, log))

    async def pull(self, request: Request) -> Response:
        req, raw = await self._read(request, P.PullRequest)
        device = await self._authenticate(request, raw, req.device_id)
        since = int(req.since)
        if since > MAX_CHECKPOINT:  # never one this center gave out; the database could not even compare it
            raise _bad("since is beyond any checkpoint", "同步检查点无效")
        await run_in_threadpool(self.run_due)
        changes, cp, more = await run_in_threadpool(self.store.pull, device, since, req.limit)
        log = await run_in_threadpool(self.store.log_proof, req.known_tree_size)
        return _reply(request, P.PullResponse(protocol_version=P.PROTOCOL_VERSION, changes=changes,
                                              checkpoint=str(cp), more=more, log=log))

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


def _reply(request: Request, model: BaseModel) -> Response:
    body = model.model_dump_json(exclude_defaults=True).encode()  # omitted fields take their defaults
    if "zstd" in request.headers.get("accept-encoding", ""):
        import zstandard

        return Response(zstandard.ZstdCompressor(level=3).compress(body), media_type="application/json",
                        headers={"content-encoding": "zstd"})
    return Response(body, media_type="application/json")


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HttpError)
    return JSONResponse(exc.body.model_dump(exclude_none=True), status_code=exc.status)


async def _store_error(request: Request, exc: Exception) -> Response:
    code, zh, en = ("store_error", "中心暂时不可用", "center temporarily unavailable")
    if isinstance(exc, SyncError):
        code = exc.code
    return JSONResponse({"code": code, "message_zh": zh, "message_en": en}, status_code=503,
                        headers={"retry-after": "5"})


def create_app(store: Store, clock: Callable[[], dt.datetime] | None = None) -> Starlette:
    center = Center(store, clock)
    routes = [
        Route("/openapi.json", center.openapi, methods=["GET"]),
        Route("/v1/health", center.health, methods=["GET"]),
        Route("/v1/enrol", center.enrol, methods=["POST"]),
        Route("/v1/push", center.push, methods=["POST"]),
        Route("/v1/pull", center.pull, methods=["POST"]),
    ]
    handlers: dict[Any, Any] = {HttpError: _http_error, StoreError: _store_error}
    app = Starlette(routes=routes, exception_handlers=handlers)
    app.state.center = center
    return app
