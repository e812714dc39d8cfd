"""Other typed numbers: mobile, bank card (PAN) and social-security card number. Nothing here raises."""

from __future__ import annotations

import re
from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict, Field
from stdnum import luhn

from outreach.domain.refusal import Refusal, refusal
from outreach.domain.text import fold_width

#: Mainland mobile second digits in use (configurable: new prefixes appear over time).
DEFAULT_MOBILE_SECOND_DIGITS = "3456789"
_CARD_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_MAX_INPUT = 40


class FieldCheck(BaseModel):
    """Result of checking one typed value."""

    model_config = ConfigDict(frozen=True)

    valid: bool
    normalized: str
    problems: list[Refusal] = Field(default_factory=list)
    warnings: list[Refusal] = Field(default_factory=list)


def _result(normalized: str, problems: list[Refusal], warnings: list[Refusal] | None = None) -> FieldCheck:
    return FieldCheck(valid=not problems, normalized=normalized, problems=problems, warnings=warnings or [])


def _precheck(value: str) -> Refusal | None:
    if len(value) > _MAX_INPUT:
        return refusal(
            "too_long", "", f"输入过长（{len(value)} 个字符）", f"input too long ({len(value)} characters)"
        )
    if any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in value):
        return refusal("control_characters", "", "含有控制字符", "contains control characters")
    return None


def check_mobile(number: str, *, second_digits: Iterable[str] = DEFAULT_MOBILE_SECOND_DIGITS) -> FieldCheck:
    """A mainland mobile number: folds full-width characters (a Chinese input method types them), strips
    +86 / 0086, spaces, hyphens and brackets; then ``^1[second digits][0-9]{9}$``."""
    bad = _precheck(number)
    if bad:
        return _result("", [bad])
    norm = re.sub(r"[\s\-()]+", "", fold_width(number))
    if norm.startswith("+86"):
        norm = norm[3:]
    elif norm.startswith("0086"):
        norm = norm[4:]
    allowed = "".join(sorted(set(second_digits)))
    if not re.fullmatch(r"[0-9]{11}", norm):
        return _result(
            norm, [refusal("mobile_format", "10", "手机号码应为 11 位数字", "a mobile number has 11 digits")]
        )
    if norm[0] != "1" or norm[1] not in allowed:
        return _result(
            norm,
            [
                refusal(
                    "mobile_prefix",
                    "10",
                    f"手机号码号段 {norm[:3]} 无效",
                    f"mobile prefix {norm[:3]} is not in use",
                )
            ],
        )
    return _result(norm, [])


def check_bank_card(number: str) -> FieldCheck:
    """A bank card number (PAN): 16-19 digits with a valid Luhn check digit (stdnum.luhn)."""
    bad = _precheck(number)
    if bad:
        return _result("", [bad])
    norm = re.sub(r"[\s\-]+", "", number)
    if not re.fullmatch(r"[0-9]{16,19}", norm):
        return _result(
            norm,
            [
                refusal(
                    "bank_card_format",
                    "",
                    "银行卡号应为 16 至 19 位数字",
                    "a bank card number has 16-19 digits",
                )
            ],
        )
    if not luhn.is_valid(norm):
        expected = luhn.calc_check_digit(norm[:-1])
        return _result(
            norm,
            [
                refusal(
                    "check_digit", "", f"银行卡号校验位应为 {expected}", f"check digit should be {expected}"
                )
            ],
        )
    return _result(norm, [])


def card_number_check_char(body8: str) -> str:
    """Check character of a 9-character social-security card number (weights 3 7 9 10 5 8 4 2, mod 11).

    Raises:
        ValueError: ``body8`` is not 8 characters of 0-9 / A-Z.
    """
    if not re.fullmatch(r"[0-9A-Z]{8}", body8):
        raise ValueError("8 characters 0-9/A-Z expected")
    total = sum(
        (int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body8, _CARD_WEIGHTS, strict=True)
    )
    value = 11 - total % 11
    return "X" if value == 10 else "0" if value == 11 else str(value)


def check_card_number(number: str) -> FieldCheck:
    """A social-security card number (卡号): 9 characters; a wrong check character is only a WARNING (real test
    and early cards fail it)."""
    bad = _precheck(number)
    if bad:
        return _result("", [bad])
    norm = re.sub(r"\s+", "", number).upper()
    if not re.fullmatch(r"[0-9A-Z]{9}", norm):
        return _result(
            norm,
            [
                refusal(
                    "card_number_format",
                    "",
                    "社会保障卡卡号应为 9 位字母或数字",
                    "a card number has 9 letters or digits",
                )
            ],
        )
    expected = card_number_check_char(norm[:8])
    if norm[8] != expected:
        warn = refusal(
            "card_number_check",
            "",
            f"卡号校验位应为 {expected}，请核对",
            f"card number check character should be {expected}: please check",
        )
        return _result(norm, [], [warn])
    return _result(norm, [])
