"""What each shipped profile must read as (shared by the in-process and the pcscd end-to-end tests)."""

from __future__ import annotations

import datetime as dt

from hardware import CardLocked, CardRemoved, Generation, NotSocialSecurityCard

EXPECTED = {
    "v2": dict(
        generation=Generation.SECOND,
        personal_data_status="read",
        name="测试",
        ssn="460100199001010019",
        sex="1",
        ethnicity="19",
        birthplace="460100",
        birth_date=dt.date(1990, 1, 1),
        card_number="A00000011",
        pan="6234560000000000001",
        pan_source="5A",
        algorithm=1,
    ),
    "v3": dict(
        generation=Generation.THIRD,
        personal_data_status="read",
        name="测试",
        algorithm=3,
        psam_terminal_id="460100000001",
    ),
    "v3_t0": dict(
        generation=Generation.THIRD,
        name="符秀英",
        card_number="T00012344",
        pan="6210000000000000009",
        card_category="4",
    ),
    "blank": dict(personal_data_status="empty", name=None, ssn=None, pan=None),
    "bad_check_digit": dict(card_number="AI666666X"),
    "expired": dict(expiry_date=dt.date(2022, 5, 1), name="陈亚妹"),
    "foreigner": dict(name="MUELLER ANNA", ssn="DEU460100198507070", ethnicity="99"),
    "long_name": dict(
        name="阿卜杜热合曼·买买提依明·艾力江阿不力孜",
        ssn="46900119700101006X",
        pan_source="57",
        birthplace="469001",
    ),
    "slow": dict(name="测试"),
}
WARNINGS = {"bad_check_digit": {"card_number_check"}, "expired": {"expired"}, "foreigner": {"ssn_unverified"}}
ERRORS = {"bank_only": NotSocialSecurityCard, "locked": CardLocked, "pulled": CardRemoved}
