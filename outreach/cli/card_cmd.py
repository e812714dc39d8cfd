"""``outreach card readers|read|watch|simulate``: card readers from the command line.

Personal data is masked unless ``--reveal`` is given. ``outreach --demo card ...`` uses the in-process
simulator instead of PC/SC.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
from typing import Any

from hardware import CardData, HardwareError, WatchCallbacks, open_reader
from hardware.base import CardReader
from outreach.domain.enums import ETHNICITY_NAMES

EXIT_OK, EXIT_HW, EXIT_USAGE = 0, 1, 2


def register(subparsers: Any) -> None:
    """Add the ``card`` command group."""
    card = subparsers.add_parser("card", help="社保卡读卡器 / social security card readers")
    sub = card.add_subparsers(dest="card_command", metavar="ACTION", required=True)

    p = sub.add_parser("readers", help="列出读卡器 / list readers")
    p.set_defaults(func=cmd_readers)

    p = sub.add_parser("read", help="读卡 / read a card")
    p.add_argument("--reader", metavar="NAME", help="读卡器名称 / reader name (default: first card)")
    p.add_argument("--psam", metavar="NAME", help="PSAM 读卡器 / PSAM reader (default: auto)")
    p.add_argument("--no-psam", action="store_true", help="不使用 PSAM / never use a PSAM")
    p.add_argument("--json", action="store_true", help="JSON 输出 / JSON output")
    p.add_argument("--reveal", action="store_true", help="显示完整个人信息 / show personal data unmasked")
    p.set_defaults(func=cmd_read)

    p = sub.add_parser("watch", help="监视读卡器和插拔卡 / watch readers and cards (Ctrl-C stops)")
    p.set_defaults(func=cmd_watch)

    p = sub.add_parser("simulate", help="通过 vpcd 模拟一张卡 / serve a simulated card through vpcd")
    p.add_argument("--profile", required=True, help="卡模板名称或 JSON 文件 / profile name or JSON file")
    p.add_argument("--data", metavar="FILE", help="覆盖卡内数据的 JSON / JSON merged into the profile")
    p.add_argument("--slot", type=int, choices=[0, 1], default=0, help="vpcd 槽位 / vpcd slot")
    p.add_argument("--port", type=int, help="vpcd 端口 / vpcd port (default 35963 + slot)")
    p.set_defaults(func=cmd_simulate)


def _backend(args: argparse.Namespace) -> CardReader:
    if getattr(args, "demo", False):
        return open_reader("simulator", profile="v3", psam=True)
    return open_reader("pcsc")


def _fail(exc: HardwareError) -> int:
    print(f"{exc.message_zh} / {exc.message_en}", file=sys.stderr)
    extra = [exc.detail] if exc.detail else []
    if exc.sw is not None:
        extra.append(f"SW {exc.sw:04X}")
    if extra:
        print(f"  ({'; '.join(extra)})", file=sys.stderr)
    return EXIT_HW


def cmd_readers(args: argparse.Namespace) -> int:
    try:
        infos = _backend(args).list_readers()
    except HardwareError as exc:
        return _fail(exc)
    if not infos:
        print("未找到读卡器 / no readers found")
        return EXIT_HW
    for info in infos:
        card = f"卡 card: {info.atr.hex(' ').upper()}" if info.atr else "无卡 empty"
        print(f"{info.name}\t[{info.role.value}]\t{card}")
    return EXIT_OK


_LABELS = (
    ("generation", "代 generation"),
    ("version", "规范版本 version"),
    ("card_number", "卡号 card number"),
    ("card_id_code", "卡识别码 card ID"),
    ("region_code", "发卡地区 region"),
    ("issue_date", "发卡日期 issued"),
    ("expiry_date", "有效期 expires"),
    ("personal_data_status", "个人信息 personal data"),
    ("name", "姓名 name"),
    ("ssn", "社会保障号码 SSN"),
    ("sex", "性别 sex"),
    ("ethnicity", "民族 ethnicity"),
    ("birthplace", "出生地 birthplace"),
    ("birth_date", "出生日期 birth date"),
    ("pan", "银行卡号 bank PAN"),
    ("psam_terminal_id", "PSAM 终端号 terminal"),
    ("reader", "读卡器 reader"),
)


def render(data: CardData) -> str:
    """Human-readable lines (Chinese label first)."""
    d = data.to_dict()
    names = ETHNICITY_NAMES.get(str(d.get("ethnicity")))
    if names is not None:
        d["ethnicity"] = f"{d['ethnicity']} {names[0]} {names[1]}"
    lines = [f"{label}: {d[key]}" for key, label in _LABELS if d.get(key) not in (None, "")]
    if data.personal_data_status == "needs_psam":
        lines.append(
            "提示: 第三代卡个人信息需 PSAM，请手工录入 / note: 3rd-gen personal data needs a PSAM; type it in"
        )
    for w in data.warnings:
        lines.append(f"警告 warning: {w.message_zh} / {w.message_en}")
    return "\n".join(lines)


def cmd_read(args: argparse.Namespace) -> int:
    psam: str | None = None if args.no_psam else (args.psam or "auto")
    try:
        data = _backend(args).read_card(args.reader, psam=psam)
    except HardwareError as exc:
        return _fail(exc)
    shown = data if args.reveal else data.masked()
    if args.json:
        print(json.dumps(shown.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(render(shown))
    return EXIT_OK


def cmd_watch(args: argparse.Namespace) -> int:
    def say(text: str) -> None:
        print(text, flush=True)

    callbacks = WatchCallbacks(
        on_reader_added=lambda r: say(f"+ 读卡器 reader: {r}"),
        on_reader_removed=lambda r: say(f"- 读卡器 reader: {r}"),
        on_card_inserted=lambda r, atr: say(f"+ 插卡 card in {r}: {atr.hex(' ').upper()}"),
        on_card_removed=lambda r: say(f"- 拔卡 card out of {r}"),
        on_service=lambda e: say(
            "读卡服务已恢复 / smart-card service back" if e is None else f"{e.message_zh} / {e.message_en}"
        ),
    )
    watcher = _backend(args).watcher(callbacks)
    watcher.start()
    say("监视中，按 Ctrl-C 退出 / watching, Ctrl-C to stop")
    try:
        threading.Event().wait()
    finally:
        watcher.stop()
    return EXIT_OK  # pragma: no cover


def cmd_simulate(args: argparse.Namespace) -> int:
    from hardware.simulator import load_profile, make_card, merge_profile
    from hardware.simulator.vpicc import SLOT_PORTS, VpiccClient

    try:
        profile = load_profile(args.profile)
        if args.data:
            with open(args.data, encoding="utf-8") as f:
                profile = merge_profile(profile, json.load(f))
        card = make_card(profile)
    except (OSError, ValueError) as exc:
        print(f"无法加载卡模板 / cannot load profile: {exc}", file=sys.stderr)
        return EXIT_USAGE
    port = args.port or SLOT_PORTS[args.slot]
    client = VpiccClient(card, port=port).start()
    print(
        f"模拟卡 {args.profile} 连接 vpcd 端口 {port}，按 Ctrl-C 拔卡 / simulated card on vpcd port {port}, Ctrl-C removes it"
    )
    try:
        while not client.removed.wait(0.5):
            pass
        print("卡已拔出 / card removed")
    finally:
        client.stop()
    return EXIT_OK
