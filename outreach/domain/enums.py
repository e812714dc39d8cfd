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


#: GB 3304-1991 ethnicity codes with their Chinese and English names: 01-56 plus 97 (未识别民族),
#: 98 (外国血统中国籍人士) and 99 (其他, what the card specification writes for "other").
ETHNICITY_NAMES: dict[str, tuple[str, str]] = {
    "01": ("汉族", "Han"), "02": ("蒙古族", "Mongol"), "03": ("回族", "Hui"), "04": ("藏族", "Tibetan"),
    "05": ("维吾尔族", "Uyghur"), "06": ("苗族", "Miao"), "07": ("彝族", "Yi"), "08": ("壮族", "Zhuang"),
    "09": ("布依族", "Bouyei"), "10": ("朝鲜族", "Korean"), "11": ("满族", "Manchu"), "12": ("侗族", "Dong"),
    "13": ("瑶族", "Yao"), "14": ("白族", "Bai"), "15": ("土家族", "Tujia"), "16": ("哈尼族", "Hani"),
    "17": ("哈萨克族", "Kazakh"), "18": ("傣族", "Dai"), "19": ("黎族", "Li"), "20": ("傈僳族", "Lisu"),
    "21": ("佤族", "Va"), "22": ("畲族", "She"), "23": ("高山族", "Gaoshan"), "24": ("拉祜族", "Lahu"),
    "25": ("水族", "Shui"), "26": ("东乡族", "Dongxiang"), "27": ("纳西族", "Naxi"), "28": ("景颇族", "Jingpo"),
    "29": ("柯尔克孜族", "Kyrgyz"), "30": ("土族", "Tu"), "31": ("达斡尔族", "Daur"), "32": ("仫佬族", "Mulao"),
    "33": ("羌族", "Qiang"), "34": ("布朗族", "Blang"), "35": ("撒拉族", "Salar"), "36": ("毛南族", "Maonan"),
    "37": ("仡佬族", "Gelao"), "38": ("锡伯族", "Xibe"), "39": ("阿昌族", "Achang"), "40": ("普米族", "Pumi"),
    "41": ("塔吉克族", "Tajik"), "42": ("怒族", "Nu"), "43": ("乌孜别克族", "Uzbek"), "44": ("俄罗斯族", "Russian"),
    "45": ("鄂温克族", "Evenki"), "46": ("德昂族", "De'ang"), "47": ("保安族", "Bonan"), "48": ("裕固族", "Yugur"),
    "49": ("京族", "Gin"), "50": ("塔塔尔族", "Tatar"), "51": ("独龙族", "Derung"), "52": ("鄂伦春族", "Oroqen"),
    "53": ("赫哲族", "Hezhen"), "54": ("门巴族", "Monba"), "55": ("珞巴族", "Lhoba"), "56": ("基诺族", "Jino"),
    "97": ("其他（未识别民族）", "other (unidentified)"),
    "98": ("外国血统中国籍人士", "Chinese citizen of foreign origin"),
    "99": ("其他", "other"),
}
ETHNICITY_CODES: frozenset[str] = frozenset(ETHNICITY_NAMES)
