"""Is the vault file damaged, where, and what can still be saved?

:func:`check` runs SQLCipher's ``PRAGMA cipher_integrity_check`` (the HMAC of every page; about 0.3 s per
100 MB here) and, with ``full=True``, SQLite's ``PRAGMA quick_check`` as well. Pages that fail are named
with the table or index that owns them (:mod:`storage.pagemap`). What that means for the worker:

* the operation log (``oplog``) and the device keys (``vault_state``) are what matters: everything else
  (people, cards, visits, versions, outbox) is rebuilt from the operations, and the center's data is pulled
  again. Damage elsewhere loses nothing that :mod:`storage.salvage` cannot recover;
* a damaged ``oplog`` page loses the operations stored on it; every other operation still verifies (hash
  and device signature) and is recovered;
* damaged ``vault_state`` means the device keys are unreadable: nothing can be signed for the center.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from storage import pagemap
from storage.driver import Connection

#: Bilingual names of the vault's tables, for messages (indexes are named by their table).
TABLE_NAMES: dict[str, tuple[str, str]] = {
    "sqlite_schema": ("数据库结构", "database schema"),
    "schema_migrations": ("结构版本记录", "migration records"),
    "vault_state": ("设备密钥与日志头", "device keys and log head"),
    "meta": ("同步设置", "sync settings"),
    "oplog": ("操作日志", "operation log"),
    "people": ("人员", "people"),
    "cards": ("卡片", "cards"),
    "visits": ("走访", "visits"),
    "subject_versions": ("版本号", "versions"),
    "outbox": ("待同步队列", "outbox"),
    "op_outcomes": ("同步结果", "push outcomes"),
    "op_bases": ("冲突底稿", "conflict bases"),
    "attachments": ("照片", "photos"),
    pagemap.FREELIST: ("未使用的页", "unused pages"),
}

_PAGE = re.compile(r"page (\d+)")


@dataclass(frozen=True)
class DamageReport:
    """``bad_pages``: pages failing the HMAC check; ``tables``: table -> its bad pages (an index's pages
    count for its table); ``problems``: other findings of the checks (structure), without data."""

    bad_pages: tuple[int, ...] = ()
    tables: dict[str, tuple[int, ...]] = field(default_factory=dict)
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.bad_pages and not self.problems

    @property
    def keys_lost(self) -> bool:
        """The device keys or the schema are unreadable: nothing can be signed or found any more."""
        return bool({"vault_state", "sqlite_schema"} & set(self.tables))

    @property
    def log_damaged(self) -> bool:
        return "oplog" in self.tables or "?" in self.tables

    def lines(self) -> list[str]:
        """Bilingual lines (Chinese first) naming what is damaged and what can be saved."""
        if self.ok:
            return ["未发现损坏 / no damage found"]
        pages = ", ".join(str(p) for p in self.bad_pages[:20]) + (" ..." if len(self.bad_pages) > 20 else "")
        out = [f"保险库已损坏：{len(self.bad_pages)} 页校验失败 / the vault is damaged: "
               f"{len(self.bad_pages)} page(s) fail their check: {pages}"]
        for table, bad in sorted(self.tables.items()):
            zh, en = TABLE_NAMES.get(table, ("未知内容", "unknown content"))
            listed = ", ".join(str(p) for p in bad[:10]) + (" ..." if len(bad) > 10 else "")
            out.append(f"  受损 damaged: {zh} / {en} ({table}): 第 {listed} 页 / page(s) {listed}")
        out.extend(f"  {p}" for p in self.problems[:10])
        out.append(self.verdict())
        return out

    def verdict(self) -> str:
        if self.keys_lost:
            return ("设备密钥或数据库结构不可读，无法为中心导出；已同步到中心的内容在中心完好 / the device keys or "
                    "the schema are unreadable: nothing can be exported for the center; what was synced is safe there")
        if self.log_damaged:
            return ("受损页上的操作已丢失，其余每条可验证的操作都可用 outreach vault salvage 导出 / operations on the "
                    "damaged pages are lost; every other operation that verifies can be exported with "
                    "`outreach vault salvage`")
        if set(self.tables) <= {pagemap.FREELIST}:
            return "受损的是未使用的页，数据完好，仍建议导出 / only unused pages are damaged; the data is intact"
        return ("操作日志完好：可用 outreach vault salvage 导出全部操作到新保险库，其余内容据此重建 / the operation "
                "log is intact: `outreach vault salvage` exports every operation to a fresh vault, which rebuilds "
                "the rest from them")


def hmac_failures(conn: Connection) -> tuple[list[int], list[str]]:
    """(pages failing SQLCipher's HMAC check, other messages of the check)."""
    pages: list[int] = []
    other: list[str] = []
    for (text,) in conn.execute("PRAGMA cipher_integrity_check").fetchall():
        match = _PAGE.search(str(text))
        if match and "HMAC" in str(text):
            pages.append(int(match.group(1)))
        else:
            other.append(str(text)[:200])
    return sorted(set(pages)), other


def check(conn: Connection, path: Path, key: bytes, *, full: bool = False) -> DamageReport:
    """Check every page's HMAC (and, ``full``, the b-tree structure); name the damaged tables.

    ``conn`` is a keyed connection to ``path`` (nothing is written). Raises only driver errors of a file
    that no longer opens at all.
    """
    bad, other = hmac_failures(conn)
    problems = [f"校验 check: {text}" for text in other]
    if full and not bad:
        try:
            rows = conn.execute("PRAGMA quick_check").fetchall()
            problems += [f"结构 structure: {str(r[0])[:200]}" for r in rows if str(r[0]) != "ok"][:20]
        except Exception as exc:  # noqa: BLE001 - a driver error here is itself the finding
            problems.append(f"结构 structure: {type(exc).__name__}")
    if not bad:
        return DamageReport(problems=tuple(problems))
    return DamageReport(tuple(bad), _attribute(conn, path, key, bad), tuple(problems))


def _attribute(conn: Connection, path: Path, key: bytes, bad: list[int]) -> dict[str, tuple[int, ...]]:
    try:
        rows = conn.execute("SELECT name, tbl_name, rootpage FROM sqlite_schema WHERE rootpage > 0").fetchall()
        page_size = int(conn.execute("PRAGMA page_size").fetchone()[0])
    except Exception:  # noqa: BLE001 - the schema itself is unreadable
        return {"sqlite_schema": tuple(bad)}
    table_of = {str(name): str(table) for name, table, _ in rows}
    reserve = page_size - _usable(path, key, page_size)
    owner = pagemap.owners(path, key, [(str(n), int(r)) for n, _, r in rows], set(bad), page_size, reserve)
    tables: dict[str, list[int]] = {}
    for page in bad:
        name = owner.get(page, "?")
        tables.setdefault(table_of.get(name, name), []).append(page)
    return {t: tuple(p) for t, p in tables.items()}


def _usable(path: Path, key: bytes, page_size: int) -> int:
    """Usable bytes per page: SQLCipher 4 reserves 80 (IV 16 + HMAC-SHA512 64); read from page 1."""
    reader = pagemap._Pages(path, key, page_size, 80)
    try:
        first = reader.read(1)
    finally:
        reader.close()
    return page_size - (first[20] if first else 80)
