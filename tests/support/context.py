"""An app context over a fresh encrypted vault holding people and cards "from the center" (services and UI tests)."""

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
from tests.support.people import card_dump, citizen_id
from tests.support.vaults import PASSPHRASE

__all__ = ["PASSPHRASE", "card_dump", "citizen_id"]  # re-exported for the services and UI tests

#: 2026-11-27 10:00 in Hainan (UTC+8).
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=timezone(timedelta(hours=8)))
TODAY = NOW.date()


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
