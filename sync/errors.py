"""Errors of the sync layer: one base class, every message Chinese first, English second."""

from __future__ import annotations


class SyncError(Exception):
    """Base of every sync error. ``code`` is stable for programs; the messages are for people."""

    code = "sync_error"
    message_zh = "同步失败"
    message_en = "synchronisation failed"

    def __init__(self, detail: str = "", *, message_zh: str | None = None, message_en: str | None = None) -> None:
        if message_zh is not None:
            self.message_zh = message_zh
        if message_en is not None:
            self.message_en = message_en
        self.detail = detail
        super().__init__(self.text())

    def text(self) -> str:
        base = f"{self.message_zh} / {self.message_en}"
        return f"{base} ({self.detail})" if self.detail else base


class ProtocolTooOld(SyncError):
    code = "protocol_too_old"
    message_zh = "客户端版本过旧，请更新软件；未发送的操作已保留"
    message_en = "this client is too old, please update; unsent operations are kept"


class NotEnrolled(SyncError):
    code = "not_enrolled"
    message_zh = "本设备尚未在中心登记"
    message_en = "this device is not enrolled with the center"


class AuthRefused(SyncError):
    code = "auth_refused"
    message_zh = "中心拒绝了本设备的身份认证"
    message_en = "the center refused this device's authentication"


class CenterUnreachable(SyncError):
    code = "center_unreachable"
    message_zh = "无法连接中心，稍后将重试"
    message_en = "the center cannot be reached; will retry later"


class BadResponse(SyncError):
    code = "bad_response"
    message_zh = "中心的回复无效"
    message_en = "the center's answer is not valid"


class LogRewritten(SyncError):
    code = "log_rewritten"
    message_zh = "中心的日志与之前签名的检查点不一致，已拒绝该中心"
    message_en = "the center's log does not extend the checkpoint seen before; center refused"


class Cancelled(SyncError):
    code = "cancelled"
    message_zh = "同步已取消"
    message_en = "synchronisation cancelled"


class TransferFileInvalid(SyncError):
    code = "transfer_file_invalid"
    message_zh = "传输文件无效或已被篡改"
    message_en = "the transfer file is invalid or has been tampered with"


class StoreError(SyncError):
    """Base of the center store's errors."""

    code = "store_error"
    message_zh = "中心数据库错误"
    message_en = "center database error"


class SchemaTooNew(StoreError):
    code = "schema_too_new"
    message_zh = "中心数据库由更新版本的程序创建，请升级本程序后再启动中心"
    message_en = "the center's database was written by a newer version of this program; upgrade it, then start again"


class BadDatabaseAddress(StoreError):
    """``detail`` names what was wrong (a scheme, "folder"), never the address: a URL may hold a password."""

    code = "bad_database_address"
    message_zh = "无法识别的数据库地址，可用：postgresql://…、sqlite:///绝对路径、sqlite:相对路径 或文件路径"
    message_en = ("unrecognised database address; use postgresql://..., sqlite:///absolute/path, "
                  "sqlite:relative/path or a file path")


class MigrationFailed(StoreError):
    """A schema migration failed; ``detail`` is its name. That step changed nothing."""

    code = "migration_failed"
    message_zh = "中心数据库升级失败，这一步未作任何更改"
    message_en = "upgrading the center's database failed; that step changed nothing"


class EnrolmentRefused(StoreError):
    code = "enrolment_refused"
    message_zh = "登记码无效、已使用或已过期"
    message_en = "the enrolment code is invalid, used or expired"


class EnrolmentThrottled(EnrolmentRefused):
    code = "enrolment_throttled"
    message_zh = "登记尝试失败次数过多，请 15 分钟后再试，或向主管索取新的登记码"
    message_en = "too many failed enrolment attempts: try again in 15 minutes, or ask the supervisor for a new code"


class UnknownDevice(StoreError):
    code = "unknown_device"
    message_zh = "未知或已吊销的设备"
    message_en = "unknown or revoked device"


class ReplayedRequest(StoreError):
    code = "replayed_request"
    message_zh = "重复的请求（可能是重放攻击）"
    message_en = "request already seen (possible replay)"


class InvalidInput(StoreError):
    code = "invalid_input"
    message_zh = "输入数据无效，未作任何更改"
    message_en = "the input is invalid; nothing was changed"


class ServeRefused(SyncError):
    """``center serve`` will not start as asked (plain HTTP off loopback, an unreadable certificate)."""

    code = "serve_refused"
    message_zh = "中心未启动"
    message_en = "the center was not started"
