"""Enumerations shared by the domain models (values are stored; never rename them)."""

from __future__ import annotations

from enum import StrEnum


class Gender(StrEnum):
    """GB/T 2261.1 sex code."""

    MALE = "1"
    FEMALE = "2"
    UNSTATED = "9"


class DocType(StrEnum):
    """The identity documents accepted by Art. 10 (一)."""

    RESIDENT_ID = "resident_id"  # 居民身份证
    HOUSEHOLD_REGISTER = "household_register"  # 居民户口簿 (citizens under 16)
    HKMO_TW_RESIDENCE_PERMIT = "hkmo_tw_residence_permit"  # 港澳台居民居住证
    HKMO_TRAVEL_PERMIT = "hkmo_travel_permit"  # 港澳居民来往内地通行证
    TW_TRAVEL_PERMIT = "tw_travel_permit"  # 台湾居民来往大陆通行证
    PASSPORT = "passport"  # 护照
    FOREIGN_PERMANENT_RESIDENCE = "foreign_permanent_residence"  # 外国人永久居留身份证


#: Chinese names of the document types, for messages.
DOC_TYPE_ZH: dict[DocType, str] = {
    DocType.RESIDENT_ID: "居民身份证",
    DocType.HOUSEHOLD_REGISTER: "居民户口簿",
    DocType.HKMO_TW_RESIDENCE_PERMIT: "港澳台居民居住证",
    DocType.HKMO_TRAVEL_PERMIT: "港澳居民来往内地通行证",
    DocType.TW_TRAVEL_PERMIT: "台湾居民来往大陆通行证",
    DocType.PASSPORT: "护照",
    DocType.FOREIGN_PERMANENT_RESIDENCE: "外国人永久居留身份证",
}


class CardStatus(StrEnum):
    """Status of one physical card (the electronic card always has the same status, Art. 4)."""

    APPLIED = "applied"  # 受理
    READY = "ready"  # 制卡完成 待领
    ACTIVE = "active"  # 已领 一卡通功能启用
    TEMP_LOST = "temp_lost"  # 临时挂失
    LOST = "lost"  # 正式挂失
    CANCELLED = "cancelled"  # 注销
    SUSPENDED = "suspended"  # 暂停 (Art. 42)
    RECALLED = "recalled"  # 回收 (Art. 12)
    REPLACED = "replaced"  # 补领后旧卡作废 (Art. 20)
    EXCHANGED = "exchanged"  # 换领/换发后旧卡作废 (Art. 25)


#: Statuses of a card that still belongs to the holder ("one person, one card" counts these).
LIVE_STATUSES: frozenset[CardStatus] = frozenset(
    {
        CardStatus.APPLIED,
        CardStatus.READY,
        CardStatus.ACTIVE,
        CardStatus.TEMP_LOST,
        CardStatus.LOST,
        CardStatus.SUSPENDED,
    }
)

#: Chinese names of the statuses, for messages.
STATUS_ZH: dict[CardStatus, str] = {
    CardStatus.APPLIED: "已受理",
    CardStatus.READY: "待领卡",
    CardStatus.ACTIVE: "正常",
    CardStatus.TEMP_LOST: "临时挂失",
    CardStatus.LOST: "正式挂失",
    CardStatus.CANCELLED: "已注销",
    CardStatus.SUSPENDED: "已暂停",
    CardStatus.RECALLED: "已回收",
    CardStatus.REPLACED: "已补领作废",
    CardStatus.EXCHANGED: "已换领作废",
}


class Hardship(StrEnum):
    """Special hardship status relevant to the fee exemption of Art. 24."""

    NONE = "none"
    EXTREMELY_POOR = "extremely_poor"  # 特困人员
    MINIMUM_ALLOWANCE = "minimum_allowance"  # 低保对象


class VisitOutcome(StrEnum):
    """What came of a home visit."""

    DONE = "done"
    NOBODY_HOME = "nobody_home"
    REFUSED = "refused"
    COME_BACK = "come_back"
    MOVED = "moved"
    DECEASED = "deceased"


#: GB 3304-1991 ethnicity codes: 01-56 plus 97 (未识别), 98 (外国血统中国籍人士), 99 (其他, used by the card spec).
ETHNICITY_CODES: frozenset[str] = frozenset({f"{i:02d}" for i in range(1, 57)} | {"97", "98", "99"})
