"""The wire protocol between a laptop and the center.

Every request carries :data:`PROTOCOL_VERSION` (header ``X-Outreach-Protocol`` and the body's
``protocol_version``). Bodies are JSON compressed with zstd (``Content-Encoding: zstd``) both ways.
Authenticated requests are signed by the device's Ed25519 key over :func:`signing_bytes`; every answer is
signed by the center's key (pinned by the laptop at enrolment) over :func:`answer_bytes`, header
``X-Outreach-Answer-Signature``, and checked before anything in it is used.

* ``POST /v1/enrol``   :class:`EnrolRequest` -> :class:`EnrolResponse` (one-time code, no signature)
* ``POST /v1/push``    :class:`PushRequest`  -> :class:`PushResponse` (always 200; one answer per operation)
* ``POST /v1/pull``    :class:`PullRequest`  -> :class:`PullResponse` (one page of changes)
* ``POST /v1/receipt`` :class:`ReceiptLookupRequest` -> :class:`ReceiptLookupResponse` (checking a person's
  receipt on any enrolled laptop: the operations with an id prefix, their center decision, a device's key)
* errors:              :class:`ErrorResponse` (426 for an old client, 401/403 auth, 400 input, 413 too large)
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from typing import Any, Literal

import zstandard
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from outreach.domain.operation import Operation, canonical_json, compute_hash

#: Version of this protocol. Bump on any incompatible change.
PROTOCOL_VERSION = 1
#: Oldest client version the center still serves; older ones get HTTP 426.
MIN_PROTOCOL_VERSION = 1
#: Largest compressed request body the center reads (bytes).
MAX_BODY = 4 * 1024 * 1024
#: Largest decompressed request body (bytes): guards against compression bombs.
MAX_INFLATED = 32 * 1024 * 1024
#: Largest JSON nesting accepted anywhere in a request.
MAX_DEPTH = 32
#: Operations per push request.
MAX_BATCH = 1000
#: Signed requests older or newer than this many seconds are refused.
REPLAY_WINDOW_S = 300

HDR_PROTOCOL = "x-outreach-protocol"
HDR_DEVICE = "x-outreach-device"
HDR_TIME = "x-outreach-time"
HDR_NONCE = "x-outreach-nonce"
HDR_SIGNATURE = "x-outreach-signature"
#: The center's Ed25519 signature (hex) of every answer, over :func:`answer_bytes`.
HDR_ANSWER_SIGNATURE = "x-outreach-answer-signature"

PushStatus = Literal["applied", "applied_with_conflict", "duplicate", "rejected"]
Role = Literal["worker", "employer_host", "supervisor"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Checkpoint(_Model):
    """A signed statement of the center's Merkle log: its size and root at a time."""

    tree_size: int = Field(ge=0)
    root: str = Field(description="RFC 6962 tree head (hex)")
    issued_at: str = Field(description="ISO 8601 UTC time of signing")
    signature: str = Field(description="center Ed25519 signature (hex) over checkpoint_bytes()")

    def signed_bytes(self) -> bytes:
        return canonical_json({"tree_size": self.tree_size, "root": self.root, "issued_at": self.issued_at})


class LogProof(_Model):
    """The latest checkpoint and a consistency proof from the size the client last saw."""

    checkpoint: Checkpoint
    from_size: int = Field(ge=0)
    consistency: list[str] = Field(default_factory=list, description="RFC 6962 consistency proof (hex)")


class EnrolRequest(_Model):
    protocol_version: int
    code: str = Field(min_length=4, max_length=64)
    device_id: str = Field(min_length=1, max_length=64)
    worker_id: str = Field(min_length=1, max_length=64)
    public_key: str = Field(pattern=r"^[0-9a-f]{64}$", description="device Ed25519 public key (hex)")


class EnrolResponse(_Model):
    protocol_version: int
    device_id: str
    worker_id: str
    role: Role
    area_code: str | None
    center_sign_key: str = Field(description="center Ed25519 public key (hex): checkpoints, reply files")
    center_box_key: str = Field(description="center X25519 public key (hex): offline transfer files")
    log: LogProof


#: Longest op_id, device, worker and subject (person ids are UUIDs) and operation kind the center accepts.
MAX_ID = 64
MAX_KIND = 40


def _check_bounds(op_id: str, device_id: str, worker_id: str, subject: str, kind: str) -> None:
    """No junk subject or kind of any length is ever stored: the whole request is refused (400)."""
    if max(len(op_id), len(device_id), len(worker_id), len(subject)) > MAX_ID or len(kind) > MAX_KIND \
            or not subject:
        raise ValueError("operation id, subject or kind missing or too long")


class WireOp(_Model):
    """An operation as it travels in a push (issue 15): without what the center recomputes.

    ``hash`` never travels: the center computes it from the canonical body exactly as the device did.
    ``prev_hash`` travels only where it is not the hash of the operation just before it in the same request
    (always for the first one, so a retried batch of duplicates still names its chain), and the signature
    (Ed25519 over the 32 hash bytes, unchanged) travels as base64 instead of hex. :func:`to_operation` gives
    back the very :class:`Operation` the device signed, so every check at the center is the one it was.
    """

    op_id: str
    device_id: str
    worker_id: str
    seq: int = Field(ge=1)
    kind: str
    subject: str
    base_version: int = Field(ge=0)
    payload: dict[str, Any]
    hlc: str
    schema_version: int = 1
    prev_hash: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$",
                                  description="omitted: the hash of the previous operation in this request")
    sig: str = Field(pattern=r"^[A-Za-z0-9+/]{86}==$", description="device Ed25519 signature (base64) of the hash")

    @classmethod
    def of(cls, op: Operation, after: Operation | None) -> WireOp:
        """``op`` for the wire, ``after`` being the operation sent just before it in the same request."""
        fields = op.model_dump(exclude={"hash", "signature", "prev_hash"})
        prev = None if after is not None and after.hash == op.prev_hash else op.prev_hash
        return cls(**fields, prev_hash=prev, sig=base64.b64encode(bytes.fromhex(op.signature)).decode("ascii"))


def to_operations(wire: list[WireOp]) -> list[Operation]:
    """The operations the device signed, their hashes recomputed from their bodies and chained in order.

    Raises ValueError (the request is refused, 400) when the first one names no previous hash.
    """
    out: list[Operation] = []
    for w in wire:
        prev = w.prev_hash if w.prev_hash is not None else (out[-1].hash if out else None)
        if prev is None:
            raise ValueError("the first operation of a push must name its previous hash")
        fields = w.model_dump(exclude={"prev_hash", "sig"})
        fields["prev_hash"] = prev
        try:
            signature = base64.b64decode(w.sig, validate=True).hex()
        except binascii.Error as exc:
            raise ValueError("signature is not base64") from exc
        out.append(Operation(**fields, hash=compute_hash(fields), signature=signature))
    return out


class PushRequest(_Model):
    """A batch of the device's operations: ``ops`` in the compact form (:class:`WireOp`, what laptops send since
    issue 15), or ``operations`` in the full form older laptops send (hash and hex signature included; still
    accepted, checked the same way). One form per request."""

    protocol_version: int
    device_id: str = Field(max_length=64)
    known_tree_size: int = Field(default=0, ge=0)
    operations: list[Operation] = Field(default_factory=list, max_length=MAX_BATCH)
    ops: list[WireOp] = Field(default_factory=list, max_length=MAX_BATCH)
    #: ``ops`` rebuilt once, while the request is validated (in the parsing thread, a bad one refused as 400).
    _rebuilt: list[Operation] = PrivateAttr(default_factory=list)

    @classmethod
    def compact(cls, device_id: str, known_tree_size: int, operations: list[Operation]) -> PushRequest:
        """The request a laptop sends: its operations in the compact wire form."""
        wire = [WireOp.of(op, operations[i - 1] if i else None) for i, op in enumerate(operations)]
        return cls(protocol_version=PROTOCOL_VERSION, device_id=device_id, known_tree_size=known_tree_size,
                   ops=wire)

    @field_validator("operations")
    @classmethod
    def _bounded(cls, ops: list[Operation]) -> list[Operation]:
        for op in ops:
            _check_bounds(op.op_id, op.device_id, op.worker_id, op.subject, op.kind)
        return ops

    @field_validator("ops")
    @classmethod
    def _bounded_wire(cls, ops: list[WireOp]) -> list[WireOp]:
        for op in ops:
            _check_bounds(op.op_id, op.device_id, op.worker_id, op.subject, op.kind)
        if ops and ops[0].prev_hash is None:
            raise ValueError("the first operation of a push must name its previous hash")
        return ops

    @model_validator(mode="after")
    def _one_form(self) -> PushRequest:
        if self.operations and self.ops:
            raise ValueError("operations and ops in one request")
        self._rebuilt = to_operations(self.ops)
        return self

    def all_operations(self) -> list[Operation]:
        """The pushed operations as the device signed them, whichever form they came in."""
        return list(self.operations) if self.operations else list(self._rebuilt)


class TheirOp(_Model):
    """Who changed the subject at the center, and when (for a conflict shown to people)."""

    op_id: str
    kind: str
    worker_id: str
    device_id: str
    hlc: str
    received_at: str


class OpResult(_Model):
    """The center's answer for one operation. Sent again, a rejected or conflicting operation gets the same
    answer again (never ``duplicate``), so a lost answer cannot hide it; ``duplicate`` means it was applied."""

    op_id: str
    status: PushStatus
    code: str | None = None
    message_zh: str | None = None
    message_en: str | None = None
    center_state: dict[str, Any] | None = Field(
        default=None, description="center's current PersonCards; for a conflict on a person's data "
        "{person_id, person, version}: the person as the center had it before this operation")
    base_version: int | None = None
    center_version: int | None = None
    theirs: list[TheirOp] = Field(default_factory=list, description="operations applied since base_version")


STATUS_LETTERS: dict[str, str] = {"applied": "a", "applied_with_conflict": "c", "duplicate": "d", "rejected": "r"}
_LETTER_STATUS = {v: k for k, v in STATUS_LETTERS.items()}


class PushResponse(_Model):
    """One answer per pushed operation, compactly: ``statuses`` has one letter per operation in request order
    (a applied, c applied_with_conflict, d duplicate, r rejected); ``results`` holds the full answers of the
    c and r ones, in the same order. On a slow link this keeps the answer to a few bytes per operation."""

    protocol_version: int
    statuses: str = Field(pattern=r"^[acdr]*$")
    results: list[OpResult] = Field(default_factory=list)
    log: LogProof

    @classmethod
    def build(cls, results: list[OpResult], log: LogProof) -> PushResponse:
        return cls(protocol_version=PROTOCOL_VERSION, statuses="".join(STATUS_LETTERS[r.status] for r in results),
                   results=[r for r in results if r.status in ("applied_with_conflict", "rejected")], log=log)

    def expand(self, op_ids: list[str]) -> list[OpResult]:
        """The full answers for the pushed ``op_ids``. Raises ValueError when they do not match the request."""
        if len(op_ids) != len(self.statuses):
            raise ValueError("answer count")
        details = iter(self.results)
        out: list[OpResult] = []
        for op_id, letter in zip(op_ids, self.statuses, strict=True):
            if letter in "cr":
                r = next(details, None)
                if r is None or r.op_id != op_id or STATUS_LETTERS[r.status] != letter:
                    raise ValueError("answer details")
                out.append(r)
            else:
                out.append(OpResult(op_id=op_id, status=_LETTER_STATUS[letter]))  # type: ignore[arg-type]
        if next(details, None) is not None:
            raise ValueError("extra answers")
        return out


class PullRequest(_Model):
    protocol_version: int
    device_id: str = Field(max_length=64)
    since: str = Field(default="0", max_length=32, pattern=r"^[0-9]+$")
    limit: int = Field(default=500, ge=1, le=2000)
    known_tree_size: int = Field(default=0, ge=0)


class Change(_Model):
    """One piece of center state: a person, their cards, a visit planned for the pulling worker, or a visit
    a worker logged (pulled by the workers the person is assigned to and by the area's supervisors)."""

    type: Literal["person", "cards", "visit_plan", "visit",
                  # an employer bulk activation day, pulled by the employer's hosts and its operators
                  # (sync/center/sessions.py); roster lines and the work list by its operators only
                  "session", "session_roster", "session_progress", "session_close", "session_lines",
                  "session_work",
                  # a device of the area (id, worker, role, last sync, revoked), pulled by its supervisors only
                  "device"]
    id: str
    version: int
    data: dict[str, Any]


class PullResponse(_Model):
    protocol_version: int
    changes: list[Change]
    checkpoint: str
    more: bool
    log: LogProof


class ReceiptLookupRequest(_Model):
    """Checking a receipt (issue 16) from an enrolled laptop: which operations start with ``op_prefix`` and, for a
    QR code, the public key of the device ``key_of`` that signed it. No personal data either way."""

    protocol_version: int
    device_id: str = Field(max_length=64)
    op_prefix: str = Field(min_length=8, max_length=36, pattern=r"^[0-9a-fA-F-]+$")
    key_of: str | None = Field(default=None, min_length=1, max_length=64)


class ReceiptRecord(_Model):
    """One operation as the center holds it, with its decision; never its payload."""

    op_id: str
    device_id: str
    kind: str
    hlc: str
    hash: str
    status: PushStatus
    code: str | None = None
    message_zh: str | None = None
    message_en: str | None = None


class ReceiptLookupResponse(_Model):
    protocol_version: int
    operations: list[ReceiptRecord] = Field(default_factory=list, max_length=10)
    device_key: str | None = Field(default=None, description="public key (hex) of key_of; None when unknown")


class ErrorResponse(_Model):
    code: str
    message_zh: str
    message_en: str
    min_protocol_version: int | None = None
    server_time: str | None = Field(default=None, description="with clock_skew: the center's time (ISO 8601)")


def signing_bytes(method: str, path: str, timestamp: str, nonce: str, body: bytes) -> bytes:
    """What the device signs for one HTTP request (body as sent, i.e. compressed)."""
    digest = hashlib.sha256(body).hexdigest()
    return "\n".join(["outreach-sync-v1", method.upper(), path, timestamp, nonce, digest]).encode()


def answer_bytes(method: str, path: str, request_nonce: str, status: int, body: bytes) -> bytes:
    """What the center signs for one answer: the request it answers (method, path, the request's nonce, so an
    old answer replayed to a new request is refused) and the answer's status and JSON body (before any
    ``Content-Encoding``: the bytes the laptop parses)."""
    digest = hashlib.sha256(body).hexdigest()
    return "\n".join(["outreach-answer-v1", method.upper(), path, request_nonce, str(status), digest]).encode()


def encode_body(model: BaseModel) -> bytes:
    """JSON, zstd-compressed."""
    return zstandard.ZstdCompressor(level=6).compress(model.model_dump_json().encode("utf-8"))


def inflate(body: bytes, limit: int = MAX_INFLATED) -> bytes:
    """Decompress a zstd body, refusing more than ``limit`` bytes. Raises ValueError."""
    try:
        dctx = zstandard.ZstdDecompressor()
        with dctx.stream_reader(body) as reader:
            out = reader.read(limit + 1)
    except zstandard.ZstdError as exc:
        raise ValueError("bad zstd body") from exc
    if len(out) > limit:
        raise OverflowError("body too large when inflated")
    return bytes(out)


def depth_ok(value: Any, limit: int = MAX_DEPTH) -> bool:
    """True when JSON ``value`` nests no deeper than ``limit`` (iterative, no recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return False
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return True


def parse_json(raw: bytes) -> Any:
    """Parse JSON, refusing nesting deeper than :data:`MAX_DEPTH` before pydantic sees it. Raises ValueError.

    CPython's JSON scanner guards its own recursion (RecursionError, turned into ValueError here); the depth
    limit is then checked iteratively over the parsed value.
    """
    try:
        value = json.loads(raw)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None
    if not depth_ok(value):
        raise ValueError("JSON nested too deeply")
    return value


def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.1 document, written from the pydantic models."""
    models: list[type[BaseModel]] = [
        EnrolRequest, EnrolResponse, PushRequest, PushResponse, PullRequest, PullResponse, ErrorResponse,
        ReceiptLookupRequest, ReceiptLookupResponse,
    ]
    schemas: dict[str, Any] = {}
    for m in models:
        schema = m.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(schema.pop("$defs", {}))
        schemas[m.__name__] = schema

    def op(summary: str, req: str, resp: str, signed: bool) -> dict[str, Any]:
        ref = {"$ref": f"#/components/schemas/{req}"}
        err = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}}}
        out: dict[str, Any] = {
            "summary": summary,
            "requestBody": {"required": True, "content": {"application/json": {"schema": ref}},
                            "description": "JSON, sent zstd-compressed (Content-Encoding: zstd)"},
            "responses": {
                "200": {"description": "OK", "content": {"application/json": {
                    "schema": {"$ref": f"#/components/schemas/{resp}"}}}},
                "400": {"description": "malformed request", **err},
                "413": {"description": "body too large", **err},
                "426": {"description": "client too old: please update", **err},
            },
        }
        if signed:
            out["responses"]["401"] = {"description": "signature or device refused", **err}
            out["responses"]["403"] = {"description": "device revoked or not allowed", **err}
        return out

    return {
        "openapi": "3.1.0",
        "info": {"title": "Outreach sync center 同步中心", "version": str(PROTOCOL_VERSION)},
        "paths": {
            "/v1/enrol": {"post": op("Enrol a device 登记设备", "EnrolRequest", "EnrolResponse", False)},
            "/v1/push": {"post": op("Push operations 上传操作", "PushRequest", "PushResponse", True)},
            "/v1/pull": {"post": op("Pull changes 下载变更", "PullRequest", "PullResponse", True)},
            "/v1/receipt": {"post": op("Check a receipt 核验回执", "ReceiptLookupRequest", "ReceiptLookupResponse",
                                       True)},
        },
        "components": {"schemas": schemas},
    }
