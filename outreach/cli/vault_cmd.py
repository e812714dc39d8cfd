"""``outreach vault init|check|passwd``, ``outreach log verify`` and ``outreach demo seed``.

Passphrases come only from ``--passphrase-file`` / ``--passphrase-fd`` or a prompt (never an argument);
the new one for ``passwd`` from ``--new-passphrase-file`` / ``--new-passphrase-fd`` or a prompt.
Exit codes: 0 fine, 1 the vault refused (wrong passphrase, damaged, log tampered ...), 2 usage.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from outreach import locations
from outreach.cli.secrets import add_passphrase_options, read_new_passphrase, read_passphrase


def _vault_path(args: argparse.Namespace) -> Path:
    chosen = getattr(args, "vault_path", None) or getattr(args, "vault", None)
    return Path(chosen) if chosen else locations.default_vault_path()


def _add_vault_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--vault", dest="vault_path", metavar="PATH", help="vault file (default: data folder)")


def _fail(exc: BaseException) -> int:
    print(str(exc), file=sys.stderr)
    return 1


def _cmd_init(args: argparse.Namespace) -> int:
    from storage import Vault, VaultError

    path = _vault_path(args)
    if path.exists():
        print(f"该位置已有文件 / a file already exists: {path}", file=sys.stderr)
        return 1
    passphrase = read_passphrase(args, "新口令 New passphrase: ", confirm=True)
    if not passphrase:
        print("口令不能为空 / the passphrase must not be empty", file=sys.stderr)
        return 2
    try:
        with Vault.create(path, passphrase, worker_id=args.worker, device_id=args.device_id) as vault:
            print(f"已创建保险库 / vault created: {path}")
            print(f"设备 device: {vault.device_id}  工作人员 worker: {vault.worker_id}")
    except VaultError as exc:
        return _fail(exc)
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    from storage import Vault, VaultError

    path = _vault_path(args)
    passphrase = read_passphrase(args)
    try:
        with Vault.open(path, passphrase) as vault:
            verdict = vault.verify_log()
            print(f"保险库 vault: {path}")
            print(f"设备 device: {vault.device_id}  工作人员 worker: {vault.worker_id}")
            print(f"结构版本 migrations: {', '.join(vault.migrations())}")
            print(f"操作 operations: {verdict.checked}  待同步 pending: {vault.pending_count()}")
            if not verdict.ok:
                _print_bad(verdict)
                return 1
            print("日志完整 / log intact")
    except VaultError as exc:
        return _fail(exc)
    return 0


def _cmd_passwd(args: argparse.Namespace) -> int:
    from storage import Vault, VaultError

    path = _vault_path(args)
    old = read_passphrase(args, "当前口令 Current passphrase: ")
    try:
        vault = Vault.open(path, old)
    except VaultError as exc:
        return _fail(exc)
    try:
        new = read_new_passphrase(args)
        if not new:
            print("口令不能为空 / the passphrase must not be empty", file=sys.stderr)
            return 2
        vault.change_passphrase(old, new)
        print("口令已更改 / passphrase changed")
    except VaultError as exc:
        return _fail(exc)
    finally:
        vault.close()
    return 0


def _print_bad(verdict: Any) -> None:
    print(
        f"日志被改动：第一个有问题的操作 seq={verdict.first_bad_seq} op_id={verdict.first_bad_op_id}\n"
        f"log tampered: first bad operation seq={verdict.first_bad_seq} op_id={verdict.first_bad_op_id}: "
        f"{verdict.problem}",
        file=sys.stderr,
    )


def _cmd_log_verify(args: argparse.Namespace) -> int:
    from storage import Vault, VaultError

    path = _vault_path(args)
    passphrase = read_passphrase(args)
    try:
        with Vault.open(path, passphrase) as vault:
            verdict = vault.verify_log()
    except VaultError as exc:
        return _fail(exc)
    if not verdict.ok:
        _print_bad(verdict)
        return 1
    print(f"日志完整，共 {verdict.checked} 条操作 / log intact, {verdict.checked} operations")
    return 0


def _cmd_seed(args: argparse.Namespace) -> int:
    from outreach.services.seed import seed_people
    from storage import Vault, VaultError

    path = _vault_path(args)
    if args.people < 0:
        print("人数不能为负 / --people must not be negative", file=sys.stderr)
        return 2
    try:
        if path.exists():
            vault = Vault.open(path, read_passphrase(args))
        else:
            vault = Vault.create(path, read_passphrase(args, "新口令 New passphrase: ", confirm=True),
                                 worker_id=args.worker)
    except VaultError as exc:
        return _fail(exc)

    def progress(done: int, total: int) -> None:
        if sys.stderr.isatty():
            print(f"\r{done}/{total}", end="", file=sys.stderr, flush=True)

    try:
        report = seed_people(vault, args.people, seed=args.seed, progress=progress)
    except VaultError as exc:
        return _fail(exc)
    finally:
        vault.close()
    if sys.stderr.isatty():
        print(file=sys.stderr)
    print(f"已生成 {report.people} 人，{report.operations} 条操作 / seeded {report.people} people, "
          f"{report.operations} operations, {report.planned_visits} planned visits")
    return 0


def register(subparsers: Any) -> None:
    """Add the ``vault``, ``log`` and ``demo`` command groups to the root parser."""
    vault = subparsers.add_parser("vault", help="加密保险库 / the encrypted vault")
    vsub = vault.add_subparsers(dest="vault_command", metavar="ACTION", required=True)

    init = vsub.add_parser("init", help="创建保险库 / create a vault")
    _add_vault_option(init)
    init.add_argument("--worker", required=True, metavar="NAME", help="worker id of this laptop's user")
    init.add_argument("--device-id", metavar="ID", help="device id (default: a new UUID)")
    add_passphrase_options(init)
    init.set_defaults(func=_cmd_init)

    check = vsub.add_parser("check", help="打开并检查 / open and check")
    _add_vault_option(check)
    add_passphrase_options(check)
    check.set_defaults(func=_cmd_check)

    passwd = vsub.add_parser("passwd", help="更改口令 / change the passphrase")
    _add_vault_option(passwd)
    add_passphrase_options(passwd)
    passwd.add_argument("--new-passphrase-file", metavar="PATH", help="read the new passphrase from this file")
    passwd.add_argument("--new-passphrase-fd", metavar="N", type=int, help="read the new passphrase from this fd")
    passwd.set_defaults(func=_cmd_passwd)

    log = subparsers.add_parser("log", help="操作日志 / the operation log")
    lsub = log.add_subparsers(dest="log_command", metavar="ACTION", required=True)
    verify = lsub.add_parser("verify", help="校验哈希链与签名 / verify the hash chain and signatures")
    _add_vault_option(verify)
    add_passphrase_options(verify)
    verify.set_defaults(func=_cmd_log_verify)

    demo = subparsers.add_parser("demo", help="演示数据 / demo data")
    dsub = demo.add_subparsers(dest="demo_command", metavar="ACTION", required=True)
    seed = dsub.add_parser("seed", help="生成虚构人员 / seed synthetic people")
    _add_vault_option(seed)
    seed.add_argument("--people", type=int, required=True, metavar="N")
    seed.add_argument("--seed", type=int, default=0, help="random seed (same seed, same people)")
    seed.add_argument("--worker", default="demo", metavar="NAME", help="worker id if the vault is created")
    add_passphrase_options(seed)
    seed.set_defaults(func=_cmd_seed)
