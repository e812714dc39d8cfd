"""Changes: each row's latest published state, numbered (``change_seq``) in commit order; what devices pull.

A row is replaced by delete and insert, which gives it a new, higher ``change_seq``; callers hold the log
lock (to commit), so numbers become visible in order and a reader never skips a late-committing row."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sync.center.sqlstore import Tx

COLUMNS = ("type", "id", "version", "data", "person_id", "owner", "area_code", "origin")


def replace(tx: Tx, row: tuple[Any, ...]) -> None:
    """Publish one row (values in :data:`COLUMNS` order)."""
    tx.write("DELETE FROM changes WHERE type = ? AND id = ?", (row[0], row[1]))
    tx.write("INSERT INTO changes (type, id, version, data, person_id, owner, area_code, origin) "
         "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", row)


def replace_many(tx: Tx, rows: dict[tuple[str, str], tuple[Any, ...]]) -> None:
    """Publish several rows at once (``(type, id) -> row``)."""
    tx.many("DELETE FROM changes WHERE type = ? AND id = ?", list(rows))
    tx.stage("changes", COLUMNS, list(rows.values()))


def of_person(tx: Tx, person_id: str, types: tuple[str, ...]) -> list[tuple[Any, ...]]:
    """A person's published rows of ``types``: ``(type, id, version, data, owner, origin)``."""
    marks = ", ".join("?" * len(types))
    return tx.rows(f"SELECT type, id, version, data, owner, origin FROM changes WHERE person_id = ? "
                   f"AND type IN ({marks})", (person_id, *types))


def page(tx: Tx, cond: str, cond_params: tuple[Any, ...], since: int, not_origin: str,
         limit: int) -> list[tuple[Any, ...]]:
    """Up to ``limit`` changes after ``since`` matching ``cond`` (:func:`sync.center.access.pull_filter`), in
    order, leaving out the rows whose state ``not_origin``'s own operation made:
    ``(change_seq, type, id, version, data)``."""
    sql = f"SELECT change_seq, type, id, version, data FROM changes WHERE change_seq > ? AND ({cond}) " \
          "AND (origin IS NULL OR origin <> ?) ORDER BY change_seq LIMIT ?"
    return tx.rows(sql, (since, *cond_params, not_origin, limit))
