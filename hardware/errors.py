"""Every error the card-reader layer raises, with a message a field worker understands.

One base class, :class:`HardwareError`. Each class says when it is raised and carries ``message_zh`` and
``message_en`` (class defaults, optionally refined per instance). Rendering is the caller's job: exceptions
never print.

Tree::

    HardwareError
    ├── ReaderError                    a reader (or the PC/SC service) cannot be used
    │   ├── NoReader                   no reader is connected / the named reader is gone
    │   ├── ReaderServiceUnavailable   the PC/SC service (pcscd) is not running or restarted
    │   └── ReaderBusy                 another program holds the card (sharing violation)
    ├── CardError                      the card in the reader cannot be read as asked
    │   ├── NoCard                     the reader is empty
    │   ├── CardRemoved                the card was pulled out (or lost contact) during the read
    │   ├── NotSocialSecurityCard      the card has no social security application (SSSE select 6A82)
    │   ├── CardLocked                 card or application locked (6A81 / 9303 / 6983)
    │   └── UnreadableData             a response could not be parsed or failed validation
    └── PsamError                      the PSAM is missing, broken or refused (personal data needs it)
        └── PsamRequired               personal data demanded, but there was no (working) PSAM

``read_card`` never returns a partial value when the card is pulled: it raises :class:`CardRemoved`.
A missing PSAM is *not* an error for ``read_card`` (it returns ``personal_data_status="needs_psam"``), nor is a
refused authentication (``"auth_failed"`` plus a warning carrying the PsamError's messages; never retried for
that card and PSAM). ``CardData.require_personal_data()`` raises :class:`PsamRequired` for callers that insist.
"""

from __future__ import annotations


class HardwareError(Exception):
    """Base class of every error raised by ``hardware``.

    Attributes:
        message_zh: Chinese message for the worker.
        message_en: English message for the worker.
        sw: Status word of the card answer that caused the error, if any.
        reader: Reader name involved, if known.
    """

    message_zh: str = "读卡器出现问题。"
    message_en: str = "The card reader reported a problem."

    def __init__(
        self,
        detail: str = "",
        *,
        message_zh: str | None = None,
        message_en: str | None = None,
        sw: int | None = None,
        reader: str | None = None,
    ) -> None:
        if message_zh is not None:
            self.message_zh = message_zh
        if message_en is not None:
            self.message_en = message_en
        self.sw = sw
        self.reader = reader
        self.detail = detail
        text = self.message_en
        if detail:
            text = f"{text} ({detail})"
        if sw is not None:
            text = f"{text} [SW {sw:04X}]"
        super().__init__(text)


class ReaderError(HardwareError):
    """A reader, or the PC/SC service behind it, cannot be used."""

    message_zh = "读卡器无法使用。"
    message_en = "The card reader cannot be used."


class NoReader(ReaderError):
    """Raised when no reader is connected, or the requested reader is not (or no longer) present."""

    message_zh = "未找到读卡器，请连接读卡器。"
    message_en = "No card reader found. Please connect the reader."


class ReaderServiceUnavailable(ReaderError):
    """Raised when the PC/SC service (pcscd) is not running, or stopped during an operation."""

    message_zh = "读卡服务未运行，请稍候或重新插拔读卡器。"
    message_en = "The smart-card service is not running. Wait a moment or re-plug the reader."


class ReaderBusy(ReaderError):
    """Raised when another program holds the card exclusively (PC/SC sharing violation) or reset it."""

    message_zh = "读卡器正被其他程序占用，请关闭其他读卡程序后重试。"
    message_en = "The reader is in use by another program. Close it and try again."


class CardError(HardwareError):
    """The card in the reader cannot be read as asked."""

    message_zh = "无法读取此卡。"
    message_en = "This card cannot be read."


class NoCard(CardError):
    """Raised when the reader holds no card (or the card does not answer to power-on)."""

    message_zh = "读卡器中没有卡，请插入社保卡。"
    message_en = "No card in the reader. Please insert the social security card."


class CardRemoved(CardError):
    """Raised when the card is pulled out or loses contact during a read; no partial value is returned."""

    message_zh = "读卡过程中卡被拔出，请重新插卡后再读。"
    message_en = "The card was removed during the read. Insert it again and retry."


class NotSocialSecurityCard(CardError):
    """Raised when the card has no social security application (SELECT SSSE answers 6A82 or similar)."""

    message_zh = "这不是社保卡（可能是普通银行卡或其他卡）。"
    message_en = "This is not a social security card (perhaps a plain bank card)."


class CardLocked(CardError):
    """Raised when the card or its application is locked (SW 6A81, 9303 or 6983)."""

    message_zh = "此卡或其应用已被锁定，请引导持卡人到服务网点处理。"
    message_en = "The card or its application is locked. Refer the holder to a service centre."


class UnreadableData(CardError):
    """Raised when a card answer cannot be parsed (bad TLV, wrong length, bad BCD/text) or an
    unexpected status word is returned."""

    message_zh = "卡内数据无法识别，请重新插卡再试；如仍失败请登记人工处理。"
    message_en = (
        "The card data could not be understood. Reinsert and retry; if it fails again, record it manually."
    )


class PsamError(HardwareError):
    """Raised when the PSAM (security module in the second reader slot) is removed or stops answering during
    a read, or (as a warning's source) when it lacks a key/algorithm or the card refuses its cryptogram."""

    message_zh = "PSAM 安全模块无法完成认证。"
    message_en = "The PSAM security module could not complete the authentication."


class PsamRequired(PsamError):
    """Raised by ``CardData.require_personal_data()`` when EF06 could not be read for want of a working PSAM."""

    message_zh = "第三代社保卡的个人信息需要 PSAM 安全模块才能读取，请手工录入。"
    message_en = "Personal data on a third-generation card needs a PSAM. Please type it in."


__all__ = [
    "CardError",
    "CardLocked",
    "CardRemoved",
    "HardwareError",
    "NoCard",
    "NoReader",
    "NotSocialSecurityCard",
    "PsamError",
    "PsamRequired",
    "ReaderBusy",
    "ReaderError",
    "ReaderServiceUnavailable",
    "UnreadableData",
]
