"""Errors of the export engine: one base class, each with a bilingual message (Chinese first).

Messages never hold personal data, a password or a key; they are safe to show and to log.

Tree::

    ExportError                 base class; ``message_zh`` / ``message_en`` / ``str()``
    ├── ExportRefused           role or area does not allow this export (nothing written)
    ├── BadExportRequest        a filter, dataset, format or purpose is invalid (nothing written)
    ├── ExportCancelled         the user cancelled; the partial files were removed
    └── VerifyFailed            ``export verify`` found a changed, missing, swapped or forged file
"""

from __future__ import annotations


class ExportError(Exception):
    """Base class. ``str(err)`` is ``"<zh> / <en>"``."""

    message_zh: str = "导出失败"
    message_en: str = "export failed"

    def __init__(self, message_zh: str | None = None, message_en: str | None = None) -> None:
        if message_zh is not None:
            self.message_zh = message_zh
        if message_en is not None:
            self.message_en = message_en
        super().__init__(f"{self.message_zh} / {self.message_en}")


class ExportRefused(ExportError):
    """Raised when the user's role or area does not allow the export asked for."""

    message_zh = "无权导出这些数据"
    message_en = "you may not export this data"


class BadExportRequest(ExportError):
    """Raised for an invalid filter, dataset, format, checkpoint or a missing purpose."""

    message_zh = "导出条件无效"
    message_en = "invalid export request"


class ExportCancelled(ExportError):
    """Raised when the export was cancelled; no file that looks complete is left behind."""

    message_zh = "导出已取消，未留下文件"
    message_en = "export cancelled; no files were left"


class VerifyFailed(ExportError):
    """Raised by :func:`outreach.exports.manifest.verify_export`; ``problems`` names each bad file."""

    message_zh = "导出文件校验失败"
    message_en = "export verification failed"

    def __init__(self, problems: list[tuple[str, str, str]]) -> None:
        self.problems = problems
        first = problems[0] if problems else ("", "未知问题", "unknown problem")
        super().__init__(f"{first[1]}：{first[0]}", f"{first[2]}: {first[0]}")
