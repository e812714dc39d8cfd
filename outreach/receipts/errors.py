"""The receipts' errors: one base class, each with a Chinese and an English message for the worker.

No message ever holds a name, an identity number or any other personal value.
"""

from __future__ import annotations


class ReceiptError(Exception):
    """Base of every receipt error; ``message_zh`` / ``message_en`` say what happened and what to do."""

    code = "receipt_error"
    message_zh = "回执处理失败"
    message_en = "the receipt could not be made"

    def __init__(self, detail: str = "") -> None:
        super().__init__(self.code)
        self.detail = detail
        """A technical detail free of personal data (a printer name, an exit code)."""

    def text(self) -> str:
        """``中文 / English`` for a command line."""
        extra = f" ({self.detail})" if self.detail else ""
        return f"{self.message_zh} / {self.message_en}{extra}"


class NotReceiptable(ReceiptError):
    code = "not_receiptable"
    message_zh = "这项操作没有回执（只有办卡业务和走访有回执）"
    message_en = "this operation has no receipt (only card services and visits have one)"


class OperationNotFound(ReceiptError):
    code = "operation_not_found"
    message_zh = "本机没有这项操作"
    message_en = "this laptop has no such operation"


class FontMissing(ReceiptError):
    code = "font_missing"
    message_zh = "找不到中文字体，无法生成回执。请安装 fonts-wqy-zenhei 或设置 OUTREACH_RECEIPT_FONT"
    message_en = "no Chinese font found: install fonts-wqy-zenhei or set OUTREACH_RECEIPT_FONT"


class NoPrinter(ReceiptError):
    code = "no_printer"
    message_zh = "没有设置打印机或打印机不存在。回执已保留，可在人员记录中补打"
    message_en = "no printer set, or it does not exist. The receipt is kept: reprint it from the person's history"


class PrintServiceDown(ReceiptError):
    code = "print_service_down"
    message_zh = "打印服务（CUPS）未运行或未安装。回执已保留，可稍后补打"
    message_en = "the print service (CUPS) is not running or not installed. The receipt is kept for reprinting"


class PrinterOffline(ReceiptError):
    code = "printer_offline"
    message_zh = "打印机已停用或离线，请检查电源和连接。回执已保留，可稍后补打"
    message_en = "the printer is disabled or offline: check its power and cable. The receipt is kept for reprinting"


class PrinterJammed(ReceiptError):
    code = "printer_jammed"
    message_zh = "打印机卡纸或缺纸，请处理后补打。回执已保留"
    message_en = "the printer is jammed or out of paper: fix it and reprint. The receipt is kept"


class PrintFailed(ReceiptError):
    code = "print_failed"
    message_zh = "打印失败。回执已保留，可稍后补打"
    message_en = "printing failed. The receipt is kept for reprinting"


class SpeechMissing(ReceiptError):
    code = "speech_missing"
    message_zh = "本机没有安装语音朗读（espeak-ng），无法朗读回执"
    message_en = "no speech engine (espeak-ng) is installed: the receipt cannot be read aloud"


class SpeechFailed(ReceiptError):
    code = "speech_failed"
    message_zh = "朗读失败，请检查声音设备"
    message_en = "reading aloud failed: check the sound device"


class SaveFailed(ReceiptError):
    code = "save_failed"
    message_zh = "无法保存到所选位置，请换一个位置"
    message_en = "the receipt could not be saved there: choose another place"
