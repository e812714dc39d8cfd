"""Test support shared by tests/services and tests/ui: a fresh encrypted vault, people and cards "from the center".

Imported as ``services.outreach_support`` (``tests/`` is on ``sys.path`` through the root conftest).
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from outreach.services.clock import FrozenClock
from outreach.services.context import AppContext
from outreach.settings import Settings

PASSPHRASE = "correct horse battery staple"
#: 2026-11-27 10:00 in Hainan (UTC+8).
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=timezone(timedelta(hours=8)))
TODAY = NOW.date()


def citizen_id(area: str, born: date, seq: int, female: bool) -> str:
    """An 18-digit resident identity number with a correct GB 11643 check digit."""
    order = f"{seq:02d}{(2 if female else 1) if seq % 2 == 0 else (2 if female else 1)}"
    first17 = f"{area}{born:%Y%m%d}{order}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(d) * w for d, w in zip(first17, weights, strict=True))
    return first17 + "10X98765432"[total % 11]


PEOPLE = [
    # name, gender, birth, area, with card status, card number
    ("王秀英", "2", date(1948, 3, 8), "460106", "active", "H46010001"),
    ("符亚明", "1", date(1955, 7, 21), "469002", None, None),
    ("李春花", "2", date(1990, 1, 15), "460108", "ready", "H46010003"),
]


def person_dump(name: str, gender: str, born: date, area: str, index: int) -> dict[str, Any]:
    number = citizen_id(area, born, 10 + index * 2, gender == "2")
    return {
        "person_id": str(uuid.UUID(int=index + 1)),
        "name": name,
        "gender": gender,
        "ethnicity": "01",
        "birth_date": born.isoformat(),
        "nationality": "CHN",
        "document": {"doc_type": "resident_id", "number": number, "valid_from": None, "valid_until": None},
        "ss_number": number,
        "mobile": f"1390898{index:04d}",
        "occupation": None,
        "address": f"海南省海口市龙华区城西镇{index + 1}号",
        "area_code": area,
        "photo_ref": None,
        "hardship": "none",
        "agent": None,
        "deceased_on": None,
    }


def card_dump(person_id: str, status: str, number: str | None, **extra: Any) -> dict[str, Any]:
    card: dict[str, Any] = {
        "card_id": str(uuid.uuid5(uuid.NAMESPACE_OID, person_id + status)),
        "person_id": person_id,
        "status": status,
        "bank_activated": status in ("active", "temp_lost", "lost"),
        "card_number": number,
        "generation": "3",
        "accepted_on": "2024-05-06",
        "issued_on": "2024-06-01" if status != "applied" else None,
        "expires_on": "2034-06-01" if status != "applied" else None,
        "collected_on": "2024-06-20" if status not in ("applied", "ready") else None,
        "reason": "first",
        "electronic": False,
    }
    if status == "temp_lost":
        card |= {"temp_loss_period": "long", "temp_loss_since": "2026-11-20"}
    if status == "lost":
        card |= {"lost_on": "2026-11-20"}
    card.update(extra)
    return card


def set_cards(vault: Any, person_id: str, cards: list[dict[str, Any]], version: int = 1) -> None:
    """Put card states as if pulled from the center."""
    vault.apply_pulled(
        [{"type": "cards", "id": person_id, "version": version,
          "data": {"person_id": person_id, "cards": cards, "version": version}}],
        checkpoint="0",  # as a fresh vault: the center knows nothing of these test changes
    )


def seed_center_people(vault: Any) -> dict[str, str]:
    """The PEOPLE above, as pulled from the center; returns name -> person id."""
    ids: dict[str, str] = {}
    changes = []
    for i, (name, gender, born, area, _status, _number) in enumerate(PEOPLE):
        dump = person_dump(name, gender, born, area, i)
        ids[name] = dump["person_id"]
        changes.append({"type": "person", "id": dump["person_id"], "version": 1, "data": dump})
    vault.apply_pulled(changes, checkpoint="0")
    for i, (_name, _g, _b, _a, status, number) in enumerate(PEOPLE):
        if status is not None:
            pid = str(uuid.UUID(int=i + 1))
            set_cards(vault, pid, [card_dump(pid, status, number)])
    return ids


_TEMPLATES: dict[bool, Path] = {}


def _template(seed: bool) -> Path:
    """One created (and seeded) vault per test session; each test gets its own copy of the file."""
    from storage import Vault

    if seed not in _TEMPLATES:
        folder = Path(tempfile.mkdtemp(prefix="outreach-test-vault-"))
        atexit.register(shutil.rmtree, folder, True)
        path = folder / "vault.db"
        vault = Vault.create(path, PASSPHRASE, worker_id="w-test")
        try:
            if seed:
                seed_center_people(vault)
        finally:
            vault.close()
        _TEMPLATES[seed] = path
    return _TEMPLATES[seed]


def make_context(tmp_path: Path, *, create: bool = True, seed: bool = True, lang: str = "zh_CN",
                 reader_factory: Any = None, sync_factory: Any = None, template: bool = True) -> AppContext:
    """A context over a fresh encrypted vault file in ``tmp_path`` (a copy of the session's template, or
    with ``template=False`` created right here, e.g. under a frozen storage clock)."""
    path = tmp_path / "vault.db"
    tmp_path.mkdir(parents=True, exist_ok=True)
    if create and not template:
        from storage import Vault

        vault = Vault.create(path, PASSPHRASE, worker_id="w-test")
        try:
            if seed:
                seed_center_people(vault)
        finally:
            vault.close()
    elif create:
        template = _template(seed)
        for source in template.parent.glob(template.name + "*"):  # the file, and its attempts counter
            shutil.copyfile(source, path.with_name(path.name + source.name[len(template.name):]))
    settings = Settings(vault_path=path, language=lang, center_url=None, idle_lock_minutes=5)
    return AppContext(settings, clock=FrozenClock(NOW), reader_factory=reader_factory, sync_factory=sync_factory,
                      settings_path=tmp_path / "settings.json")


def count_ops(ctx: AppContext, kind: str | None = None) -> int:
    return sum(1 for op in ctx.session.vault.operations() if kind is None or op.kind == kind)


def application_values(**changes: Any) -> dict[str, Any]:
    """A valid first application for a new person (an elderly woman of Haikou)."""
    values: dict[str, Any] = {
        "name": "陈玉兰",
        "gender": "2",
        "ethnicity": "01",
        "birth_date": "1942-09-30",
        "nationality": "CHN",
        "doc_type": "resident_id",
        "doc_number": citizen_id("460107", date(1942, 9, 30), 24, True),
        "valid_from": "",
        "valid_until": "",
        "mobile": "13907561234",
        "occupation": "",
        "address": "海南省海口市琼山区云龙镇5号",
        "photo_path": "",
        "lacks_full_capacity": False,
        "hardship": "minimum_allowance",
        "bank_account_opened": True,
        "agent_name": "",
        "agent_doc_type": "resident_id",
        "agent_doc_number": "",
        "agent_relationship": "",
        "agent_proof": "relationship_proof",
        "agent_mobile": "",
    }
    values.update(changes)
    return values
