"""Operations the center recorded, the devices' and its own, each with its answer and its log position."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sync.center.sqlstore import Tx


def known(tx: Tx, op_id: str) -> tuple[Any, ...] | None:
    """``(hash, status, code, message_zh, message_en, subject_version)`` of an operation seen before, or None."""
    rows = tx.rows("SELECT hash, status, code, message_zh, message_en, subject_version FROM operations "
                "WHERE op_id = ?", (op_id,))
    return rows[0] if rows else None


def exists(tx: Tx, op_id: str) -> bool:
    return bool(tx.rows("SELECT 1 FROM operations WHERE op_id = ?", (op_id,)))


def made_by(tx: Tx, op_id: str, device_id: str) -> bool:
    """True when ``device_id`` pushed the operation ``op_id``."""
    return bool(tx.rows("SELECT 1 FROM operations WHERE op_id = ? AND device_id = ?", (op_id, device_id)))


def after_version(tx: Tx, subject: str, base: int) -> list[tuple[Any, ...]]:
    """What reached a subject after version ``base``, not rejected, in version order:
    ``(op_id, kind, worker_id, device_id, hlc, received_at)``."""
    return tx.rows("SELECT op_id, kind, worker_id, device_id, hlc, received_at FROM operations WHERE subject = ? "
                "AND subject_version > ? AND status <> 'rejected' ORDER BY subject_version", (subject, base))


def insert_device_op(tx: Tx, row: tuple[Any, ...]) -> None:
    """``row``: (op_id, device_id, seq, worker_id, kind, subject, hlc, hash, body, status, code, message_zh,
    message_en, subject_version, resolves, received_at, log_index); log_index None until sequenced."""
    tx.write("INSERT INTO operations (op_id, device_id, seq, worker_id, kind, subject, hlc, hash, body, status, code, "
         "message_zh, message_en, subject_version, resolves, received_at, log_index) "
         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", row)


def insert_center_op(tx: Tx, op_id: str, device_id: str, kind: str, subject: str, hlc: str, body: str,
                     subject_version: int, received_at: str, log_index: int) -> None:
    """An operation the center decided itself (applied; no sequence number, no hash)."""
    tx.write("INSERT INTO operations (op_id, device_id, seq, worker_id, kind, subject, hlc, hash, body, status, "
         "subject_version, received_at, log_index) VALUES (?, ?, NULL, ?, ?, ?, ?, ?, ?, 'applied', ?, ?, ?)",
         (op_id, device_id, device_id, kind, subject, hlc, "", body, subject_version, received_at, log_index))


def set_log_indexes(tx: Tx, first: int, op_ids: list[str]) -> None:
    """Give ``op_ids`` the log positions ``first``, ``first + 1`` ... in order."""
    tx.many("UPDATE operations SET log_index = ? WHERE op_id = ?", [(first + i, op_id) for i, op_id in enumerate(op_ids)])


def of_devices(tx: Tx, center_device: str, device_id: str | None) -> list[tuple[Any, ...]]:
    """``(op_id, device_id, seq, hash, status)`` of every device's operation (the center's own left out), in
    log order; only ``device_id``'s when given, in its sequence."""
    sql = "SELECT op_id, device_id, seq, hash, status FROM operations WHERE device_id <> ?"
    params: tuple[Any, ...] = (center_device,)
    if device_id is not None:
        sql, params = sql + " AND device_id = ? ORDER BY seq", (*params, device_id)
    else:
        sql += " ORDER BY log_index"
    return tx.rows(sql, params)


def counts(tx: Tx) -> dict[str, int]:
    """How many operations per answer (status)."""
    return {str(r[0]): int(r[1]) for r in tx.rows("SELECT status, COUNT(*) FROM operations GROUP BY status")}


def open_issues(tx: Tx) -> list[tuple[Any, ...]]:
    """Rejections and conflicts no operation resolves yet, in log order:
    ``(op_id, device_id, worker_id, kind, subject, status, code)``."""
    return tx.rows("SELECT o.op_id, o.device_id, o.worker_id, o.kind, o.subject, o.status, o.code "
                "FROM operations o WHERE o.status IN ('rejected', 'applied_with_conflict') AND NOT "
                "EXISTS (SELECT 1 FROM operations r WHERE r.resolves = o.op_id) ORDER BY o.log_index")


def by_prefix(tx: Tx, prefix: str) -> list[tuple[Any, ...]]:
    """At most 10 operations whose id starts with ``prefix`` (hex digits and dashes only: never a pattern):
    ``(op_id, device_id, kind, hlc, hash, status, code, message_zh, message_en)``."""
    return tx.rows("SELECT op_id, device_id, kind, hlc, hash, status, code, message_zh, message_en "
                "FROM operations WHERE op_id LIKE ? ORDER BY op_id LIMIT 10", (prefix + "%",))


def last_log_index(tx: Tx) -> int:
    """The highest log position an operation holds; -1 when none does."""
    return int(tx.rows("SELECT COALESCE(MAX(log_index), -1) FROM operations")[0][0])


def export_page(tx: Tx, after: int, upto: int, kind_like: str, area_prefix: str, worker: str | None,
                applied_only: bool, limit: int) -> list[tuple[Any, ...]]:
    """The next ``limit`` operations at log positions after ``after`` up to ``upto``, in log order, whose kind
    is LIKE ``kind_like`` (only ``worker``'s when given, none rejected when ``applied_only``), each with its
    subject's person when the subject's area starts with ``area_prefix`` (digits: the center's exports):
    ``(log_index, op_id, device_id, seq, worker_id, kind, subject, hlc, body, status, code, message_zh, person,
    in_area)``; a row outside the area comes without body or person (``in_area`` false) so that the caller
    pages on by its log position.

    The page is taken from the log's own index first (the inner ``LIMIT`` keeps both databases from joining
    first): joined first, a PostgreSQL without statistics yet (just after a bulk load or a restore) walked
    every subject of the area and sorted all the rest of the log on disk for each page (136 s for 200,000
    visits, 4.7 s on SQLite: bench/bench_center_export.py)."""
    inner = ("SELECT log_index, op_id, device_id, seq, worker_id, kind, subject, hlc, body, status, code, "
             "message_zh FROM operations WHERE log_index > ? AND log_index <= ? AND kind LIKE ?")
    params: tuple[Any, ...] = (after, upto, kind_like)
    if worker:
        inner += " AND worker_id = ?"
        params += (worker,)
    if applied_only:
        inner += " AND status <> 'rejected'"
    inner += " ORDER BY log_index LIMIT ?"
    sql = ("SELECT o.log_index, o.op_id, o.device_id, o.seq, o.worker_id, o.kind, o.subject, o.hlc, "
           "CASE WHEN s.subject IS NULL THEN NULL ELSE o.body END, o.status, o.code, o.message_zh, s.person, "
           f"s.subject IS NOT NULL FROM ({inner}) o "
           "LEFT JOIN subjects s ON s.subject = o.subject AND s.area_code LIKE ? ORDER BY o.log_index")
    return tx.rows(sql, (*params, limit, area_prefix + "%"))
