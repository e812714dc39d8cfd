"""The one value a card read produces: :class:`CardData` (frozen, validated in ``__post_init__``)."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import enum
from dataclasses import dataclass, field
from typing import Any, Literal

from hardware.codec import card_number_ok, luhn_ok, region_code_ok, ssn_check_ok
from hardware.errors import PsamRequired, UnreadableData

PersonalDataStatus = Literal["read", "needs_psam", "auth_failed", "empty", "not_read"]
"""``read``: EF06 read; ``needs_psam``: EF06 protected and no PSAM, nothing tried; ``auth_failed``: the PSAM
could not authenticate (see ``warnings``; not retried for this card by the same reader object); ``empty``: the
card carries no personal records (blank card); ``not_read``: the caller asked not to read EF06."""

RID = "D156000005"


class Generation(enum.StrEnum):
    """Card generation from the first 3 characters of the spec version (EF05 tag 03)."""

    FIRST = "1"
    SECOND = "2"
    THIRD = "3"


class ReaderRole(enum.StrEnum):
    """What sits in a reader slot."""

    USER = "user"
    PSAM = "psam"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class CardWarning:
    """Something odd about a card that does not stop the read (e.g. a bad card-number check digit)."""

    code: str
    message_zh: str
    message_en: str


def _warn(code: str, zh: str, en: str) -> CardWarning:
    return CardWarning(code, zh, en)


@dataclass(frozen=True, slots=True)
class CardData:
    """Everything read from one social security card.

    Social security fields come from SSSE EF05 (always) and EF06 (``personal_data_status == "read"``).
    ``warnings`` is filled by validation; hard inconsistencies raise :class:`UnreadableData` on construction.
    """

    atr: bytes
    generation: Generation
    version: str  # "3.00"
    card_id_code: str  # 32 hex digits
    card_category: str  # '1'..'4'
    issue_date: dt.date
    expiry_date: dt.date
    card_number: str | None  # 9 chars; None on a blank card
    algorithm: int | None = None  # FCI 9F0C/86: 1 DES, 2 SSF33, 3 SM4
    personal_data_status: PersonalDataStatus = "not_read"
    ssn: str | None = None
    name: str | None = None
    sex: str | None = None  # '1' male, '2' female, '9' unstated
    ethnicity: str | None = None  # 2-digit GB 3304 code
    birthplace: str | None = None  # 6-digit region code
    birth_date: dt.date | None = None
    pan: str | None = None  # UnionPay PAN
    pan_source: Literal["5A", "57"] | None = None
    reader: str | None = None
    psam_terminal_id: str | None = None
    warnings: tuple[CardWarning, ...] = field(default=())

    def __post_init__(self) -> None:
        warnings = list(self.warnings)
        if len(self.card_id_code) != 32 or self.card_id_code[6:16] != RID:
            raise UnreadableData("card identification code lacks RID D156000005")
        if not region_code_ok(self.card_id_code[:6]):
            raise UnreadableData("card identification code: bad region code")
        if self.version[:3] not in ("1.0", "2.0", "3.0") and self.version != "":
            raise UnreadableData(f"unknown spec version {self.version!r}")
        if self.expiry_date <= self.issue_date:
            raise UnreadableData("expiry date not after issue date")
        codes = {w.code for w in warnings}

        def add(w: CardWarning) -> None:
            if w.code not in codes:
                codes.add(w.code)
                warnings.append(w)

        if self.card_category not in ("1", "2", "3", "4"):
            add(_warn("category", "卡类别不在 1-4 之内。", "Card category is not 1-4."))
        if self.card_number is not None and not card_number_ok(self.card_number):
            add(
                _warn(
                    "card_number_check",
                    "卡号校验位不正确，请核对。",
                    "Card number check digit is wrong; please verify.",
                )
            )
        if self.ssn is not None:
            if self.ssn[:3].isalpha():
                add(
                    _warn(
                        "ssn_unverified",
                        "外籍人员社会保障号码格式无法核验。",
                        "Foreigner's SSN format cannot be verified.",
                    )
                )
            elif not ssn_check_ok(self.ssn):
                add(
                    _warn(
                        "ssn_check",
                        "社会保障号码校验位不正确。",
                        "Social security number check digit is wrong.",
                    )
                )
            elif self.birth_date is not None and self.ssn[6:14] != self.birth_date.strftime("%Y%m%d"):
                add(
                    _warn(
                        "birth_mismatch",
                        "出生日期与社会保障号码不一致。",
                        "Birth date does not match the SSN.",
                    )
                )
        if self.sex is not None and self.sex not in ("1", "2", "9"):
            add(_warn("sex", "性别代码无效。", "Sex code is invalid."))
        elif self.sex in ("1", "2") and _ssn_sex(self.ssn) not in (None, self.sex):
            add(_warn("sex_mismatch", "性别与社会保障号码不一致。", "Sex does not match the SSN."))
        if self.ethnicity is not None and not (
            self.ethnicity.isdigit()
            and (1 <= int(self.ethnicity) <= 56 or self.ethnicity in ("97", "98", "99"))
        ):
            add(_warn("ethnicity", "民族代码无效。", "Ethnicity code is invalid."))
        if self.birthplace is not None and not region_code_ok(self.birthplace):
            add(_warn("birthplace", "出生地区划代码无效。", "Birthplace region code is invalid."))
        if self.pan is not None and not luhn_ok(self.pan):
            add(_warn("pan_check", "银行卡号校验失败。", "Bank card number fails the Luhn check."))
        if self.expiry_date < dt.date.today():
            add(_warn("expired", "此卡已过有效期。", "This card has expired."))
        object.__setattr__(self, "warnings", tuple(warnings))

    # -- derived values -----------------------------------------------------------------------------

    @property
    def region_code(self) -> str:
        """Issuing region (first 6 digits of the card identification code)."""
        return self.card_id_code[:6]

    @property
    def atr_historical(self) -> str:
        """ATR historical bytes as hex (what ``iReadCardBas`` reports)."""
        return historical_bytes(self.atr).hex().upper()

    def is_expired(self, today: dt.date | None = None) -> bool:
        """True when ``today`` (default: now) is after the expiry date."""
        return (today or dt.date.today()) > self.expiry_date

    def require_personal_data(self) -> CardData:
        """Return self when EF06 was read.

        Raises:
            PsamRequired: a third-generation card was read without a PSAM.
            UnreadableData: the card carries no personal records (blank card) or EF06 was not asked for.
        """
        if self.personal_data_status == "read":
            return self
        if self.personal_data_status in ("needs_psam", "auth_failed"):
            raise PsamRequired(self.personal_data_status)
        raise UnreadableData(f"personal data {self.personal_data_status}")

    def masked(self) -> CardData:
        """A copy with SSN, name and PAN partially masked, for display and logs."""
        out = copy.copy(self)  # no re-validation: masked values would fail their own checks
        object.__setattr__(out, "ssn", mask_middle(self.ssn, 4, 2))
        object.__setattr__(out, "name", mask_name(self.name))
        object.__setattr__(out, "pan", mask_middle(self.pan, 6, 4))
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (dates ISO, bytes hex)."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bytes):
                value = value.hex().upper()
            elif isinstance(value, dt.date):
                value = value.isoformat()
            elif isinstance(value, enum.Enum):
                value = value.value
            elif f.name == "warnings":
                value = [dataclasses.asdict(w) for w in value]
            out[f.name] = value
        out["region_code"] = self.region_code
        return out


def _ssn_sex(ssn: str | None) -> str | None:
    """'1'/'2' from the parity of the 17th digit of a citizen-style SSN, else None."""
    if not ssn or len(ssn) != 18 or not ssn[16].isdigit() or ssn[:3].isalpha():
        return None
    return "1" if int(ssn[16]) % 2 else "2"


def mask_middle(value: str | None, keep_start: int, keep_end: int) -> str | None:
    """``4601**********0019``-style masking."""
    if value is None:
        return None
    if len(value) <= keep_start + keep_end:
        return "*" * len(value)
    return value[:keep_start] + "*" * (len(value) - keep_start - keep_end) + value[len(value) - keep_end :]


def mask_name(name: str | None) -> str | None:
    """Keep the first character (surname) of a Chinese name, or the first letter of each Latin word."""
    if not name:
        return name
    if name.isascii():
        return " ".join(w[:1] + "*" * (len(w) - 1) for w in name.split(" "))
    return name[0] + "*" * (len(name) - 1)


def historical_bytes(atr: bytes) -> bytes:
    """Historical bytes of an ATR (parses T0 and the TDi chain; TCK excluded when present)."""
    if len(atr) < 2:
        return b""
    t0 = atr[1]
    k = t0 & 0x0F
    i = 2
    y = t0 >> 4
    while True:
        i += bin(y).count("1") - (1 if y & 0x8 else 0)
        if not y & 0x8:
            break
        if i >= len(atr):
            return b""
        td = atr[i]
        i += 1
        y = td >> 4
    return atr[i : i + k]
