"""Card profiles: typed card data in JSON, encoded by the simulator per reference §4.

A profile is a plain dict (from a JSON file under ``hardware/simulator/profiles/`` or built with
:func:`build_profile`). Keys (all optional except where said):

``kind``            "ssc" (social security card, default), "bank_only" or "psam".
``atr``             hex ATR (default: the §8.3 Hainan test ATR, or the test PSAM ATR).
``t0``              true: emulate T=0 (61xx after commands with data, GET RESPONSE).
``algorithm``       FCI algorithm byte (3 = SM4; only SM4 authentication is simulated).
``locked``          hex SW answered to SELECT SSSE, e.g. "6A81" or "9303".
``root_key``        hex 16-byte TEST RKSSSE root key (the card holds the diversified key; the PSAM the root).
``ext_auth_tries``  RKSSSE retry counter (default 3).  ``pin`` / ``pin_tries``: PIN and its counter.
``ef06_protected``  default: true when the version starts with "3".
``ef05``            card_id_code (32 hex) or region + serial; category, version, init_org, issue_date,
                    expiry_date (ISO dates), card_number.
``ef06``            ssn, name, sex, ethnicity, birthplace, birth_date; null = blank card (records absent).
``bank``            pan, expiry ("YYMM"), gpo_format (1|2), directory ("ppse"|"pse"|"both"|"none"),
                    pan_tag ("5A"|"57"), aid (hex, default the UnionPay debit AID A000000333010101).
``raw``             {"EF05"|"EF06": {"tag hex": "value hex"}}: override encoded values (bad-data tests).
``behaviour``       delay_ms (per APDU), remove_after (APDU count after which the card is pulled).
PSAM profiles: ``terminal_id`` (12 hex), ``root_key``.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from importlib import resources
from pathlib import Path
from typing import Any

DEFAULT_ATR = "3B6D00000081 4A4446 8660 4601 00001234".replace(" ", "")
PSAM_ATR = "3B6A0000" + b"PSAM-TEST1".hex().upper()
#: TEST root key for RKSSSE (never a real key).
TEST_ROOT_KEY = "00112233445566778899AABBCCDDEEFF"
TEST_TERMINAL_ID = "460100000001"

Profile = dict[str, Any]


def profile_names() -> list[str]:
    """Names of the profiles shipped as package data."""
    root = resources.files("hardware.simulator") / "profiles"
    return sorted(p.name[:-5] for p in root.iterdir() if p.name.endswith(".json"))


def load_profile(name_or_path: str | Path) -> Profile:
    """Load a shipped profile by name, or any JSON profile file by path.

    Raises:
        FileNotFoundError: no such profile.
        ValueError: the file is not a JSON object.
    """
    path = Path(name_or_path)
    if path.suffix == ".json" and path.exists():
        text = path.read_text(encoding="utf-8")
    else:
        res = resources.files("hardware.simulator") / "profiles" / f"{name_or_path}.json"
        if not res.is_file():
            raise FileNotFoundError(f"no card profile {name_or_path!r}; known: {', '.join(profile_names())}")
        text = res.read_text(encoding="utf-8")
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError("a profile is a JSON object")
    return data


def merge_profile(base: Profile, override: Profile) -> Profile:
    """Deep-merge ``override`` into a copy of ``base`` (dicts merge, other values replace)."""
    out = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge_profile(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _iso(value: dt.date | str) -> str:
    return value.isoformat() if isinstance(value, dt.date) else value


def build_profile(
    *,
    name: str,
    ssn: str,
    card_number: str = "A00000011",
    birth_date: dt.date | str | None = None,
    sex: str | None = None,
    ethnicity: str = "01",
    birthplace: str | None = None,
    generation: int = 2,
    region: str = "460100",
    serial: str = "00001234",
    issue_date: dt.date | str = "2023-06-01",
    expiry_date: dt.date | str = "2033-06-01",
    category: str = "3",
    pan: str | None = "6234560000000000001",
    **extra: Any,
) -> Profile:
    """A profile for a person's card from plain values (for demos and tests).

    Args:
        name: Holder name (Chinese or Latin; > 30 GB18030 bytes spills into tag 4E).
        ssn: 18-character social security number.
        card_number: 9-character card number.
        birth_date: Defaults to the digits 7-14 of ``ssn`` when those form a date.
        sex: '1'/'2'/'9'; defaults to the parity of the 17th SSN digit.
        ethnicity: 2-digit GB 3304 code.
        birthplace: 6-digit region; defaults to the SSN's first 6 digits (or ``region``).
        generation: 2 or 3 (3 = EF06 behind RKSSSE external authentication).
        region, serial: Build the card identification code.
        issue_date, expiry_date, category: EF05 items.
        pan: UnionPay PAN, or None for no bank application.
        **extra: Further top-level profile keys (``t0``, ``behaviour``, ...), merged in.

    Returns:
        A profile dict for :class:`~hardware.simulator.card.SimulatedCard`.
    """
    if birth_date is None:
        try:
            birth_date = dt.date(int(ssn[6:10]), int(ssn[10:12]), int(ssn[12:14]))
        except ValueError:
            birth_date = "1970-01-01"
    if sex is None:
        sex = ("1" if int(ssn[16]) % 2 else "2") if ssn[16:17].isdigit() else "9"
    if birthplace is None:
        birthplace = ssn[:6] if ssn[:6].isdigit() else region
    version = "3.00" if generation == 3 else "2.00"
    profile: Profile = {
        "kind": "ssc",
        "atr": "3B6D00000081" + "4A4446" + "8660" + region[:4] + serial,
        "algorithm": 3,
        "ef05": {
            "region": region,
            "serial": serial,
            "category": category,
            "version": version,
            "issue_date": _iso(issue_date),
            "expiry_date": _iso(expiry_date),
            "card_number": card_number,
        },
        "ef06": {
            "ssn": ssn,
            "name": name,
            "sex": sex,
            "ethnicity": ethnicity,
            "birthplace": birthplace,
            "birth_date": _iso(birth_date),
        },
        "bank": {"pan": pan, "expiry": "3306", "gpo_format": 2, "directory": "ppse"} if pan else None,
    }
    return merge_profile(profile, extra)
