"""Identity-document numbers of Art. 10: recognise the type, check the number, say what it encodes.

``check_identity`` never raises for bad input: every problem is a :class:`Refusal` with a precise bilingual
message. Problems make the number invalid; warnings do not (doubtful but possibly real).

python-stdnum is used for the GB 11643 MOD 11-2 check character, but not for ``stdnum.cn.ric.validate``: that
refuses numbers whose region code did not exist in the birth year (e.g. 469027 乐东, created 2002, for someone
born in 1950) or is missing from its table, and real people hold such numbers. Note also that
``stdnum.cn.ric.calc_check_digit`` expects the number *with* its check character and ignores the last character.
"""

from __future__ import annotations

import re
from datetime import date

from pydantic import BaseModel, ConfigDict, Field
from stdnum.cn import ric

from outreach.domain.enums import DOC_TYPE_ZH, DocType, Gender
from outreach.domain.refusal import Refusal, refusal
from outreach.domain.regions import PROVINCES, plausible_region, region_name
from outreach.domain.text import fold_width

#: Longest input looked at (anything longer is refused before parsing).
MAX_INPUT = 40
_SEPARATORS = re.compile(r"[\s\-]+")
_PERMIT_REGIONS = {"810000": "香港", "820000": "澳门", "830000": "台湾"}
_OLDEST_BIRTH_YEAR = 1870


class IdentityCheck(BaseModel):
    """What an identity number says, and what is wrong with it."""

    model_config = ConfigDict(frozen=True)

    valid: bool
    doc_type: DocType | None
    normalized: str
    region_code: str | None = None
    region_name: str | None = None
    birth_date: date | None = None
    gender: Gender | None = None
    problems: list[Refusal] = Field(default_factory=list)
    warnings: list[Refusal] = Field(default_factory=list)


def mod11_2_check(body17: str) -> str:
    """GB 11643 / ISO 7064 MOD 11-2 check character of 17 digits ('0'-'9' or 'X').

    Raises:
        ValueError: ``body17`` is not 17 digits.
    """
    if len(body17) != 17 or not _ascii_digits(body17):
        raise ValueError("17 digits expected")
    # stdnum ignores the last character it is given, so pass a placeholder check character.
    return ric.calc_check_digit(body17 + "0")


def convert_15_to_18(number15: str) -> str:
    """Old 15-digit citizen number (19YYMMDD era) to its 18-digit form.

    Raises:
        ValueError: not 15 digits.
    """
    if len(number15) != 15 or not _ascii_digits(number15):
        raise ValueError("15 digits expected")
    body = number15[:6] + "19" + number15[6:]
    return body + mod11_2_check(body)


def _ascii_digits(text: str) -> bool:
    """str.isdigit() also accepts e.g. Arabic-Indic and superscript digits; we want 0-9 only."""
    return bool(text) and all("0" <= c <= "9" for c in text)


def _bad(code: str, zh: str, en: str) -> Refusal:
    return refusal(code, "10", zh, en)


def _control_problem(raw: str) -> Refusal | None:
    if any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 or c in "\u200b\u2028\u2029\ufeff" for c in raw):
        return _bad(
            "control_characters", "号码含有控制字符或不可见字符", "the number contains control characters"
        )
    return None


def _birth(digits8: str, today: date, problems: list[Refusal]) -> date | None:
    shown = f"{digits8[:4]}-{digits8[4:6]}-{digits8[6:]}"
    try:
        born = date(int(digits8[:4]), int(digits8[4:6]), int(digits8[6:]))
    except ValueError:
        problems.append(
            _bad("birth_date_invalid", f"出生日期 {shown} 不存在", f"birth date {shown} does not exist")
        )
        return None
    if born > today:
        problems.append(
            _bad("birth_date_future", f"出生日期 {shown} 在将来", f"birth date {shown} is in the future")
        )
        return None
    if born.year < _OLDEST_BIRTH_YEAR:
        problems.append(
            _bad("birth_date_too_old", f"出生日期 {shown} 不合理", f"birth date {shown} is implausible")
        )
        return None
    return born


def _check18(number: str, today: date, problems: list[Refusal]) -> tuple[date | None, Gender | None]:
    """Shared checks of the 18-character MOD 11-2 numbers (citizen, residence permit, 2023 permanent residence)."""
    if not re.fullmatch(r"[0-9]{17}[0-9X]", number):
        problems.append(
            _bad(
                "format",
                "应为 17 位数字加 1 位校验码（数字或 X）",
                "expected 17 digits and a check character (digit or X)",
            )
        )
        return None, None
    born = _birth(number[6:14], today, problems)
    expected = mod11_2_check(number[:17])
    if number[17] != expected:
        problems.append(
            _bad(
                "check_digit",
                f"校验位应为 {expected}（现为 {number[17]}）",
                f"check digit should be {expected}, not {number[17]}",
            )
        )
    gender = Gender.MALE if int(number[16]) % 2 == 1 else Gender.FEMALE
    return born, gender


def _citizen_looking(number: str) -> bool:
    """17 or 19 digits (the last may be X) starting with a province code: a citizen number one character short
    or long. Raises nothing."""
    return bool(re.fullmatch(r"[0-9]{16}[0-9X]|[0-9]{18}[0-9X]", number)) and number[:2] in PROVINCES


def recognise(number: str) -> DocType | None:
    """Guess the document type of a normalized number (uppercase, no separators); None when unrecognised."""
    if re.fullmatch(r"9[0-9]{16}[0-9X]", number):
        return DocType.FOREIGN_PERMANENT_RESIDENCE
    if re.fullmatch(r"8[123]0000[0-9]{11}[0-9X]", number):
        return DocType.HKMO_TW_RESIDENCE_PERMIT
    if re.fullmatch(r"[0-9]{17}[0-9X]|[0-9]{15}", number):
        return DocType.RESIDENT_ID
    if _citizen_looking(number):
        return DocType.RESIDENT_ID  # one character missing or extra: a malformed citizen number, not a passport
    if re.fullmatch(r"[A-Z]{3}[0-9]{12}", number):
        return DocType.FOREIGN_PERMANENT_RESIDENCE
    if re.fullmatch(r"[HM][0-9]{8}|[HM][0-9]{10}", number):
        return DocType.HKMO_TRAVEL_PERMIT
    if re.fullmatch(r"[0-9]{8}", number):
        return DocType.TW_TRAVEL_PERMIT
    if re.fullmatch(r"[A-Z0-9]{5,17}", number) and any("0" <= c <= "9" for c in number):
        return DocType.PASSPORT
    return None


def _citizen(number: str, doc_type: DocType, today: date) -> IdentityCheck:
    problems: list[Refusal] = []
    warnings: list[Refusal] = []
    if re.fullmatch(r"[0-9]{15}", number):
        yymmdd = number[6:12]
        try:
            date(1900 + int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:]))
        except ValueError:
            shown = f"19{yymmdd[:2]}-{yymmdd[2:4]}-{yymmdd[4:]}"
            problems.append(
                _bad("birth_date_invalid", f"出生日期 {shown} 不存在", f"birth date {shown} does not exist")
            )
            return IdentityCheck(valid=False, doc_type=doc_type, normalized=number, problems=problems)
        converted = convert_15_to_18(number)
        warnings.append(
            _bad(
                "converted_from_15",
                f"15 位旧号码已转换为 18 位：{converted}",
                f"old 15-digit number converted to {converted}",
            )
        )
        number = converted
    if len(number) != 18:
        problems.append(
            _bad(
                "length", f"应为 18 位（现为 {len(number)} 位）", f"expected 18 characters, got {len(number)}"
            )
        )
        return IdentityCheck(valid=False, doc_type=doc_type, normalized=number, problems=problems)
    region = number[:6]
    if number[:6] in _PERMIT_REGIONS or number[0] == "9":
        kind = "港澳台居民居住证" if number[0] == "8" else "外国人永久居留身份证"
        kind_en = "an HK/Macau/Taiwan residence permit" if number[0] == "8" else "a permanent residence card"
        problems.append(
            _bad(
                "wrong_document_type",
                f"这是{kind}号码，不是{DOC_TYPE_ZH[doc_type]}号码",
                f"this is {kind_en} number, not a citizen number",
            )
        )
    elif not plausible_region(region) and _ascii_digits(region):
        problems.append(
            _bad(
                "region_code",
                f"地址码 {region} 不是有效的省级代码",
                f"region code {region} has no valid province",
            )
        )
    born, gender = _check18(number, today, problems)
    return IdentityCheck(
        valid=not problems, doc_type=doc_type, normalized=number, region_code=region if _ascii_digits(region) else None,
        region_name=region_name(region), birth_date=born, gender=gender, problems=problems, warnings=warnings,
    )  # fmt: skip


def _permit(number: str, today: date) -> IdentityCheck:
    problems: list[Refusal] = []
    region = number[:6]
    if region not in _PERMIT_REGIONS:
        problems.append(
            _bad("region_code", "港澳台居民居住证号码应以 810000、820000 或 830000 开头",
                 "a residence permit number starts with 810000, 820000 or 830000")
        )  # fmt: skip
    born, gender = _check18(number, today, problems) if len(number) == 18 else (None, None)
    if len(number) != 18:
        problems.append(
            _bad(
                "length", f"应为 18 位（现为 {len(number)} 位）", f"expected 18 characters, got {len(number)}"
            )
        )
    return IdentityCheck(
        valid=not problems, doc_type=DocType.HKMO_TW_RESIDENCE_PERMIT, normalized=number,
        region_code=region if region in _PERMIT_REGIONS else None, region_name=region_name(region),
        birth_date=born, gender=gender, problems=problems,
    )  # fmt: skip


def _permanent_residence(number: str, today: date) -> IdentityCheck:
    problems: list[Refusal] = []
    warnings: list[Refusal] = []
    doc = DocType.FOREIGN_PERMANENT_RESIDENCE
    if re.fullmatch(r"[A-Z]{3}[0-9]{12}", number):
        total = sum(
            (ord(c) - 55 if c.isalpha() else int(c)) * (7, 3, 1)[i % 3] for i, c in enumerate(number[:14])
        )
        if total % 10 != int(number[14]):
            warnings.append(
                _bad("check_digit_advisory", f"旧版永居证校验位按常见规则应为 {total % 10}（规则未经官方核实）",
                     f"old-format check digit would be {total % 10} by the usual rule (rule not officially verified)")
            )  # fmt: skip
        return IdentityCheck(
            valid=True, doc_type=doc, normalized=number, problems=problems, warnings=warnings
        )
    if not re.fullmatch(r"9[0-9]{16}[0-9X]", number):
        problems.append(
            _bad("format", "外国人永久居留身份证应为 9 开头的 18 位（2023 版）或 3 个字母加 12 位数字（旧版）",
                 "expected 18 characters starting with 9 (2023) or 3 letters and 12 digits (old format)")
        )  # fmt: skip
        return IdentityCheck(valid=False, doc_type=doc, normalized=number, problems=problems)
    soft: list[Refusal] = []
    born, gender = _check18(number, today, soft)
    for p in soft:  # only the check digit is certain; the date position is from a single source
        (problems if p.code == "check_digit" else warnings).append(p)
    if number[1:3] not in PROVINCES:
        warnings.append(
            _bad(
                "region_code_advisory",
                f"受理地代码 {number[1:3]} 未知",
                f"unknown province code {number[1:3]}",
            )
        )
    return IdentityCheck(
        valid=not problems, doc_type=doc, normalized=number,
        region_code=f"{number[1:3]}0000" if number[1:3] in PROVINCES else None,  # province of acceptance
        region_name=PROVINCES.get(number[1:3]), birth_date=born if not soft else None, gender=gender,
        problems=problems, warnings=warnings,
    )  # fmt: skip


def _lenient(number: str, doc_type: DocType) -> IdentityCheck:
    problems: list[Refusal] = []
    warnings: list[Refusal] = []
    strict, loose, hint_zh, hint_en = {
        DocType.HKMO_TRAVEL_PERMIT: (r"[HM][0-9]{8}|[HM][0-9]{10}", r"[HM][A-Z0-9]{6,10}", "H/M 加 8 或 10 位数字", "H/M and 8 or 10 digits"),
        DocType.TW_TRAVEL_PERMIT: (r"[0-9]{8}", r"[A-Z0-9]{8,10}", "8 位数字", "8 digits"),
        DocType.PASSPORT: (r"[A-Z0-9]{5,17}", r"[A-Z0-9]{5,17}", "5 至 17 位字母或数字", "5 to 17 letters or digits"),
    }[doc_type]  # fmt: skip
    if re.fullmatch(strict, number):
        pass
    elif re.fullmatch(loose, number):
        warnings.append(
            _bad(
                "format_unverified",
                f"号码格式少见（常见为{hint_zh}），请核对证件",
                f"unusual format (usually {hint_en}): check the document",
            )
        )
    else:
        problems.append(_bad("format", f"{DOC_TYPE_ZH[doc_type]}号码应为{hint_zh}", f"expected {hint_en}"))
    return IdentityCheck(
        valid=not problems, doc_type=doc_type, normalized=number, problems=problems, warnings=warnings
    )


def normalize(number: str) -> str:
    """Uppercase, without spaces or hyphens (full-width characters folded to ASCII)."""
    return _SEPARATORS.sub("", fold_width(number)).upper()


def check_identity(
    number: str, doc_type: DocType | None = None, *, today: date | None = None
) -> IdentityCheck:
    """Check an identity-document number; recognise its type when ``doc_type`` is None.

    ``today`` (default: the system date) bounds birth dates. Lowercase x is accepted and normalised to X; a
    15-digit citizen number is converted to 18 digits (with a warning). Raises nothing.
    """
    today = today or date.today()
    if len(number) > MAX_INPUT:
        too_long = _bad(
            "too_long",
            f"号码过长（{len(number)} 个字符）",
            f"the number is too long ({len(number)} characters)",
        )
        return IdentityCheck(valid=False, doc_type=doc_type, normalized="", problems=[too_long])
    control = _control_problem(number)
    if control is not None:
        return IdentityCheck(valid=False, doc_type=doc_type, normalized="", problems=[control])
    norm = normalize(number)
    if not norm:
        empty = _bad("empty", "未填写证件号码", "no number given")
        return IdentityCheck(valid=False, doc_type=doc_type, normalized="", problems=[empty])
    kind = doc_type or recognise(norm)
    if kind is None:
        unknown = _bad("unrecognised", "无法识别的证件号码格式", "unrecognised document number format")
        return IdentityCheck(valid=False, doc_type=None, normalized=norm, problems=[unknown])
    if kind in (DocType.RESIDENT_ID, DocType.HOUSEHOLD_REGISTER):
        return _citizen(norm, kind, today)
    if kind is DocType.HKMO_TW_RESIDENCE_PERMIT:
        return _permit(norm, today)
    if kind is DocType.FOREIGN_PERMANENT_RESIDENCE:
        return _permanent_residence(norm, today)
    return _lenient(norm, kind)
