"""``outreach enrol`` and ``outreach sync [export|import-reply]``: the laptop side of sync.

Exit codes: 0 fine, 1 failed or refused (errors on stderr), 2 usage, 3 the center wants a newer client
(unsent operations stay on the laptop), 130 cancelled.

Nothing is sent from, or written into, a damaged vault (``outreach vault salvage`` saves what it holds) or
one on read-only media; a center address and an ``--out`` folder are checked before anything is done.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import threading
from pathlib import Path
from typing import Any

from outreach import locations
from outreach.cli.secrets import add_passphrase_options, read_passphrase


def _open_vault(args: argparse.Namespace) -> Any:
    from storage import Vault

    path = Path(args.vault_path or getattr(args, "vault", None) or locations.default_vault_path())
    return Vault.open(path, read_passphrase(args))


def _writable_or_fail(vault: Any) -> int:
    """0 when sync may write into ``vault``; else print why not (what is damaged) and return 1."""
    from storage import DamagedVaultError, ReadOnlyVaultError

    if vault.damaged:
        print(DamagedVaultError(), file=sys.stderr)
        for line in vault.damage.lines() if vault.damage is not None else []:
            print(line, file=sys.stderr)
        return 1
    if vault.read_only:
        print(ReadOnlyVaultError(), file=sys.stderr)
        return 1
    return 0


def _bad_url(url: str | None) -> bool:
    """True unless ``url`` is an http(s) address with a host (checked before any vault or network work)."""
    if url is None:
        return False
    import httpx

    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError):
        return True
    return parsed.scheme not in ("http", "https") or not parsed.host or any(c.isspace() for c in url)


def _url_usage(url: str) -> int:
    print("中心地址无效，应形如 https://center.example:8443 / invalid center address; expected something like "
          "https://center.example:8443", file=sys.stderr)
    return 2


def _fail(exc: BaseException) -> int:
    from sync.errors import ProtocolTooOld, SyncError

    print(exc.text() if isinstance(exc, SyncError) else str(exc), file=sys.stderr)
    report = getattr(exc, "report", None)  # DamagedVaultError: what is damaged, what can be saved
    for line in report.lines() if report is not None else []:
        print(line, file=sys.stderr)
    return 3 if isinstance(exc, ProtocolTooOld) else 1


def _cmd_enrol(args: argparse.Namespace) -> int:
    from storage import VaultError
    from sync.client.client import enrol
    from sync.errors import SyncError

    if _bad_url(args.center):
        return _url_usage(args.center)
    try:
        with _open_vault(args) as vault:
            if _writable_or_fail(vault):
                return 1
            resp = enrol(vault, args.center, args.code)
    except (SyncError, VaultError) as exc:
        return _fail(exc)
    print(f"已登记 / enrolled: device {resp.device_id}, worker {resp.worker_id}, role {resp.role}, "
          f"area {resp.area_code or '-'}")
    return 0


def _cmd_sync(args: argparse.Namespace) -> int:
    from storage import VaultError
    from sync.client.client import Progress, sync_once
    from sync.errors import SyncError

    def progress(p: Progress) -> None:
        total = f"/{p.total}" if p.total is not None else ""
        print(f"\r{'上传 push' if p.phase == 'push' else '下载 pull'} {p.done}{total}", end="", file=sys.stderr)

    cancel = threading.Event()
    if _bad_url(args.center):
        return _url_usage(args.center)
    try:
        with _open_vault(args) as vault:
            if _writable_or_fail(vault):
                return 1
            summary = sync_once(vault, args.center, progress=progress, cancel=cancel)
    except KeyboardInterrupt:
        cancel.set()
        print("\n已取消，已完成的部分已保存 / cancelled; what was done is kept", file=sys.stderr)
        return 130
    except (SyncError, VaultError) as exc:
        print(file=sys.stderr)
        return _fail(exc)
    print(file=sys.stderr)
    if args.json:
        print(json.dumps(summary.as_dict(), ensure_ascii=False, indent=2, default=str))
    else:
        print(f"已接受 applied {summary.applied}  有冲突 conflicts {summary.applied_with_conflict}  "
              f"重复 duplicates {summary.duplicate}  被拒 rejected {summary.rejected}  下载 pulled {summary.pulled}")
        for c in summary.issues:
            print(f"  {c.status} {c.kind} {c.op_id}: {c.message_zh or ''} / {c.message_en or ''}")
        for e in summary.errors:
            print(f"  错误 error: {e}", file=sys.stderr)
    return 1 if summary.errors else 0


def _cmd_export(args: argparse.Namespace) -> int:
    from storage import VaultError
    from sync import transfer
    from sync.errors import SyncError

    out = Path(args.out)
    if not out.parent.is_dir():
        print(f"文件夹不存在，未导出 / no such folder, nothing exported: {out.parent}", file=sys.stderr)
        return 2
    try:
        with _open_vault(args) as vault:
            if vault.damaged:  # what it lists as unsent may be incomplete: salvage first
                return _writable_or_fail(vault)
            data, n = transfer.export_file(vault)
    except (SyncError, VaultError) as exc:
        return _fail(exc)
    tmp = out.with_name(out.name + ".tmp")
    try:
        tmp.write_bytes(data)
        tmp.replace(out)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        print(f"无法写入，未导出 / cannot write, nothing exported: {out}: {exc.strerror}", file=sys.stderr)
        return 1
    print(f"已导出 {n} 项操作（已加密、已签名） / exported {n} operations (encrypted, signed): {out}")
    return 0


def _cmd_import_reply(args: argparse.Namespace) -> int:
    from storage import VaultError
    from sync import transfer
    from sync.errors import SyncError

    try:
        data = Path(args.file).read_bytes()
        with _open_vault(args) as vault:
            if _writable_or_fail(vault):  # a reply is applied into the vault: never into a damaged one
                return 1
            s = transfer.import_reply(vault, data)
    except OSError as exc:
        print(f"无法读取 / cannot read: {exc.strerror}", file=sys.stderr)
        return 1
    except (SyncError, VaultError) as exc:
        return _fail(exc)
    print(f"回执已处理 / reply applied: applied {s.applied}, conflicts {s.applied_with_conflict}, "
          f"duplicates {s.duplicate}, rejected {s.rejected}")
    return 0


def register(subparsers: Any) -> None:
    def vault_opts(p: argparse.ArgumentParser) -> None:
        p.add_argument("--vault", dest="vault_path", metavar="PATH", help="vault file (default: data folder)")
        add_passphrase_options(p)

    p = subparsers.add_parser("enrol", help="在中心登记本机 / enrol this laptop with the center")
    p.add_argument("--center", required=True, metavar="URL")
    p.add_argument("--code", required=True)
    vault_opts(p)
    p.set_defaults(func=_cmd_enrol)

    s = subparsers.add_parser("sync", help="与中心同步 / sync with the center")
    s.add_argument("--json", action="store_true")
    s.add_argument("--center", metavar="URL", help="override the enrolled center address")
    vault_opts(s)
    s.set_defaults(func=_cmd_sync)
    sub = s.add_subparsers(dest="sync_command", metavar="ACTION")
    e = sub.add_parser("export", help="导出离线传输文件 / export unsent operations to a file")
    e.add_argument("--out", required=True, metavar="FILE")
    vault_opts(e)
    e.set_defaults(func=_cmd_export)
    r = sub.add_parser("import-reply", help="导入中心回执 / apply the center's reply file")
    r.add_argument("file")
    vault_opts(r)
    r.set_defaults(func=_cmd_import_reply)
