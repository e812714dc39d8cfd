"""``outreach id check NUMBER [--type TYPE] [--json]``: is an identity number valid, and what does it encode?

Exit code 0 when valid, 1 when invalid. Output is bilingual, Chinese first.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from outreach.domain.enums import DOC_TYPE_ZH, DocType, Gender
from outreach.domain.identity import IdentityCheck, check_identity

_GENDER = {Gender.MALE: "男 / male", Gender.FEMALE: "女 / female", Gender.UNSTATED: "未说明 / unstated"}


def register(subparsers: Any) -> None:
    """Add the ``id`` command group to the ``outreach`` parser."""
    group = subparsers.add_parser("id", help="证件号码 / identity numbers")
    sub = group.add_subparsers(dest="id_command", metavar="COMMAND")
    check = sub.add_parser("check", help="检查证件号码 / check an identity-document number")
    check.add_argument("number", help="证件号码 / the number")
    check.add_argument(
        "--type",
        dest="doc_type",
        choices=[d.value for d in DocType],
        help="证件类型（默认自动识别）/ document type (recognised when omitted)",
    )
    check.add_argument("--json", action="store_true", help="JSON 输出 / JSON output")
    check.set_defaults(func=run_check)


def render(result: IdentityCheck) -> str:
    """Human-readable bilingual report."""
    lines = []
    doc = (
        f"{DOC_TYPE_ZH[result.doc_type]} / {result.doc_type.value}"
        if result.doc_type
        else "未识别 / unrecognised"
    )
    lines.append(("有效 / valid" if result.valid else "无效 / invalid") + f": {result.normalized or '-'}")
    lines.append(f"证件类型 / document type: {doc}")
    if result.region_code or result.region_name:
        lines.append(
            f"地区 / region: {result.region_code or '-'} {result.region_name or '(名称未知 / name unknown)'}"
        )
    if result.birth_date:
        lines.append(f"出生日期 / birth date: {result.birth_date.isoformat()}")
    if result.gender:
        lines.append(f"性别 / gender: {_GENDER[result.gender]}")
    for problem in result.problems:
        lines.append(f"错误 / error: {problem.message_zh} / {problem.message_en}")
    for warning in result.warnings:
        lines.append(f"提示 / warning: {warning.message_zh} / {warning.message_en}")
    return "\n".join(lines)


def run_check(args: argparse.Namespace) -> int:
    """Handler of ``outreach id check``; returns 0 when valid, 1 when invalid."""
    doc_type = DocType(args.doc_type) if args.doc_type else None
    result = check_identity(args.number, doc_type)
    if args.json:
        print(json.dumps(result.model_dump(mode="json"), ensure_ascii=False, indent=2))
    else:
        print(render(result))
    return 0 if result.valid else 1
