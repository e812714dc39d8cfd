"""Errors raised by the vault: one base class, each with a bilingual user message (Chinese first).

Messages never contain a passphrase, a key or personal data; they are safe to show and to log.

Tree::

    VaultError                       base class; ``message_zh`` / ``message_en`` / ``str()``
    ├── NotEncryptedError            the SQLite driver is not SQLCipher (``cipher_version`` empty)
    ├── VaultNotFoundError           no vault file at the given path
    ├── VaultExistsError             refusing to create over an existing file
    ├── WrongPassphraseError         the passphrase does not open this vault (file left untouched)
    ├── TooManyAttemptsError         too many wrong passphrases: wait ``retry_after`` seconds
    ├── CorruptVaultError            file truncated or damaged
    │   └── FirstPageDamagedError    the passphrase is right (other pages verify) but page 1 is damaged
    ├── ForeignFileError             not a vault (plain SQLite, text, anything else)
    ├── VaultLockedError             the vault was locked/closed; open it again
    ├── SchemaError                  the vault was written by a newer version / a migration failed
    ├── LogAppendError               an operation could not be appended (bad kind, bad payload ...)
    ├── BadInputError                a sync answer or pulled change is malformed (nothing applied)
    ├── AttachmentNotFoundError      no attachment with that reference
    ├── DamagedVaultError            pages fail SQLCipher's HMAC check: writing refused; ``report`` says what
    ├── ReadOnlyVaultError           the vault is on read-only media (or opened read-only): reading only
    ├── DiskFullError                the disk is full: the operation was not saved, nothing else was lost
    ├── VaultBusyError               another program holds the vault
    └── VaultIOError                 the disk failed to read or write (nothing was changed)
"""

from __future__ import annotations


class VaultError(Exception):
    """Base class of every storage error. ``str(err)`` is ``"<zh> / <en>"``."""

    message_zh: str = "保险库错误"
    message_en: str = "vault error"

    def __init__(self, message_zh: str | None = None, message_en: str | None = None) -> None:
        if message_zh is not None:
            self.message_zh = message_zh
        if message_en is not None:
            self.message_en = message_en
        super().__init__(f"{self.message_zh} / {self.message_en}")


class NotEncryptedError(VaultError):
    message_zh = "数据库驱动未启用加密（SQLCipher 不可用），拒绝打开"
    message_en = "the database driver does not encrypt (SQLCipher missing); refusing to open"


class VaultNotFoundError(VaultError):
    message_zh = "找不到保险库文件"
    message_en = "no vault file at this path"


class VaultExistsError(VaultError):
    message_zh = "该位置已有文件，不会覆盖"
    message_en = "a file already exists at this path; it will not be overwritten"


class WrongPassphraseError(VaultError):
    """``retry_after``: seconds the next attempt must wait (0 while the first mistakes are free)."""

    message_zh = "口令不正确，保险库未改动"
    message_en = "wrong passphrase; the vault was not changed"
    retry_after: float = 0.0


class TooManyAttemptsError(VaultError):
    """Raised before trying a passphrase while the back-off delay has not elapsed."""

    def __init__(self, retry_after: float) -> None:
        self.retry_after = retry_after
        seconds = max(1, int(retry_after + 0.999))
        super().__init__(
            f"口令错误次数过多，请 {seconds} 秒后再试",
            f"too many wrong passphrases; try again in {seconds} s",
        )


class CorruptVaultError(VaultError):
    message_zh = "保险库文件已损坏或不完整（可能被截断），未作任何改动"
    message_en = "the vault file is damaged or incomplete (truncated?); nothing was changed"


class FirstPageDamagedError(CorruptVaultError):
    """The passphrase is right (``intact`` of the ``others`` pages after page 1 verify under its key) but the
    first page, which holds the file header and the root of the table of contents, fails its check, so the
    vault cannot be opened the ordinary way. ``outreach vault salvage`` repairs a copy of that page."""

    def __init__(self, others: int = 0, intact: int = 0) -> None:
        self.others, self.intact = others, intact
        super().__init__(
            f"口令正确，但保险库第 1 页（文件头和数据库结构目录）已损坏，无法正常打开；其余 {others} 页中 {intact} 页"
            "校验完好。请运行 outreach vault salvage --out 新文件：它修复第 1 页的副本，把每条仍可验证的操作导出到新的"
            "保险库；已同步到中心的内容在中心完好。原文件未作任何改动",
            f"the passphrase is right, but the vault's first page (the file header and the table of contents) is "
            f"damaged, so it cannot be opened; {intact} of the other {others} pages pass their check. Run "
            "`outreach vault salvage --out NEW`: it repairs a copy of the first page and exports every operation "
            "that still verifies into a fresh vault; what was synced is safe at the center. The file was not changed",
        )


class ForeignFileError(VaultError):
    message_zh = "该文件不是保险库（可能是普通数据库或其他文件），未作任何改动"
    message_en = "this file is not a vault (plain database or another kind of file); nothing was changed"


class VaultLockedError(VaultError):
    message_zh = "保险库已锁定，请重新输入口令"
    message_en = "the vault is locked; enter the passphrase again"


class SchemaError(VaultError):
    message_zh = "保险库版本不兼容或升级失败"
    message_en = "incompatible vault version or failed upgrade"


class LogAppendError(VaultError):
    message_zh = "操作无法保存"
    message_en = "the operation could not be saved"


class BadInputError(VaultError):
    message_zh = "收到的数据格式不正确，未作任何改动"
    message_en = "malformed data received; nothing was changed"


class AttachmentNotFoundError(VaultError):
    message_zh = "找不到附件"
    message_en = "attachment not found"


class DamagedVaultError(VaultError):
    """``report`` (a :class:`storage.integrity.DamageReport`, or None when found by a failed read) says
    which pages and tables are damaged and what can still be saved."""

    message_zh = "保险库已损坏，已拒绝写入；请用 outreach vault check 查看受损内容，用 outreach vault salvage 导出仍可读的内容"
    message_en = ("the vault is damaged; writing is refused. `outreach vault check` shows what is damaged, "
                  "`outreach vault salvage` exports what is still readable")

    def __init__(self, report: object | None = None) -> None:
        self.report = report
        super().__init__()


class ReadOnlyVaultError(VaultError):
    message_zh = "保险库位于只读介质上（或以只读方式打开），只能查看，不能写入；未作任何改动"
    message_en = "the vault is on read-only media (or opened read-only): it can be read, not written; nothing changed"


class DiskFullError(VaultError):
    message_zh = "磁盘已满，这项操作未保存；已保存的数据完好。请腾出空间后重试"
    message_en = "the disk is full: this operation was not saved; what was saved is intact. Free some space and retry"


class VaultBusyError(VaultError):
    message_zh = "保险库正被另一个程序使用，请稍后再试"
    message_en = "another program is using the vault; try again later"


class VaultIOError(VaultError):
    message_zh = "磁盘读写失败，未作任何改动；请检查存储设备"
    message_en = "the disk failed to read or write; nothing was changed. Check the storage device"
