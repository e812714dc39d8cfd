"""``outreach --demo``: a throwaway vault in a temp folder, seeded with synthetic people, a simulated card
reader holding one of their cards, and an embedded center on loopback.

Every piece is optional: when one cannot be set up the demo still starts and says what is missing
(``DemoInfo.notes``), e.g. "center unavailable". The demo passphrase is public and shown on the unlock
screen in demo mode only.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import tempfile
from pathlib import Path
from typing import Any

from outreach.domain.calendar import business_day
from outreach.services.clock import Clock
from outreach.services.context import AppContext, DemoInfo
from outreach.services.errors import ServiceError
from outreach.services.ports import SyncPort, VaultPort
from outreach.settings import Settings

log = logging.getLogger(__name__)

#: Public, printed on the demo's unlock screen. Never used for a real vault.
DEMO_PASSPHRASE = "demo-hainan-2026"
DEMO_PEOPLE = 60
DEMO_WORKER = "demo"


def _seed(vault: Any, people: int) -> None:
    from outreach.services.seed import seed_people

    seed_people(vault, people, seed=2026)


def _card_holder(vault: Any, person_ids: list[str]) -> tuple[Any, Any] | None:
    """A seeded person with an active card and a card number (for the simulated reader)."""
    for person_id in person_ids:
        cards = vault.person_cards(person_id)
        current = cards.current() if cards is not None else None
        if current is not None and current.card_number and str(current.status) == "active":
            person = vault.get_person(person_id)
            if person is not None and not person.agent:
                return person, current
    return None


def _reader_for(person: Any, card: Any) -> Any:
    from hardware.factory import open_reader
    from hardware.simulator.profiles import build_profile

    ssn = person.ss_number or person.document.number
    profile = build_profile(name=person.name, ssn=ssn, card_number=card.card_number,
                            birth_date=person.birth_date, sex=str(person.gender))
    return open_reader("simulator", profile=profile)


def _seed_center(store: Any, folder: Path, people: int) -> list[str]:
    """The demo's people live at the center, as in the field: generated in a scratch vault, then loaded into
    the center (people, their card events decided by the center's rules) and put on the worker's plan."""
    from storage import Vault

    scratch_path = folder / "scratch.db"
    scratch = Vault.create(scratch_path, DEMO_PASSPHRASE, worker_id=DEMO_WORKER)
    try:
        _seed(scratch, people)
        persons = [op.payload["person"] for op in scratch.operations() if op.kind == "person.register"]
        events = [(op.subject, op.payload["event"]) for op in scratch.operations()
                  if op.kind.startswith("card.") and "event" in op.payload]
        # cards the seed shows as made (any status past "applied"): the demo's center makes them at once
        made = {card.card_id: card.card_number for p in persons
                for card in getattr(scratch.person_cards(p["person_id"]), "cards", [])
                if str(card.status) != "applied" and card.card_number}
    finally:
        scratch.close()
        for leftover in folder.glob("scratch.db*"):
            leftover.unlink()
    now = dt.datetime.now(dt.UTC)
    today = business_day(now)  # the center's day is China's, as for the operations it decides
    store.load_people(persons, now)
    for person_id, event in events:
        if event.get("kind") == "card.apply" and not (event.get("form") or {}).get("photo_ref"):
            event = {**event, "form": {**event["form"], "photo_ref": f"demo-photo-{person_id[:8]}"}}
        store.center_event(person_id, event, today, now)  # refused ones simply stay undone
        if event.get("kind") == "card.apply" and event.get("card_id") in made:  # made "today" at the center
            issue = {"kind": "card.issue", "card_id": event["card_id"], "card_number": made[event["card_id"]],
                     "issued_on": today.isoformat()}
            store.center_event(person_id, issue, today, now)
    for i, person in enumerate(persons):  # most cards were collected: the outreach worker sees active cards
        if i % 3:
            store.center_event(person["person_id"], {"kind": "card.deliver", "method": "in_person"}, today, now)
    store.assign(DEMO_WORKER, [p["person_id"] for p in persons], now)
    return [p["person_id"] for p in persons]


def _start_center(folder: Path, vault: Any, people: int) -> tuple[Any, str, list[str]]:
    """Start the embedded center, give it the demo people, enrol the vault and pull the worker's area."""
    from sync.center.embedded import EmbeddedCenter
    from sync.center.sqlite_store import MemorySqliteStore
    from sync.client.client import SyncClient, enrol

    # in memory only: a crashed demo must not leave its people in plaintext in the temp folder
    center = EmbeddedCenter(store=MemorySqliteStore())
    url = center.start()
    try:
        person_ids = _seed_center(center.store, folder, people)
        code = center.store.create_enrol_code(DEMO_WORKER, "worker", None, dt.timedelta(hours=1))
        enrol(vault, url, code)
        SyncClient(vault, url).sync_once()
        from outreach.services.home import LAST_SYNC_META

        vault.set_meta(LAST_SYNC_META, dt.datetime.now(dt.UTC).astimezone().isoformat())
    except Exception:
        center.stop()
        raise
    return center, url, person_ids


def build_demo_context(lang: str | None = None, *, people: int = DEMO_PEOPLE, clock: Clock | None = None,
                       center: bool = True) -> AppContext:
    """Set up the demo. Raises ServiceError only when the vault itself cannot be made."""
    folder = Path(tempfile.mkdtemp(prefix="outreach-demo-"))
    notes: list[str] = []
    vault_path = folder / "vault.db"
    try:
        from storage import Vault
    except ImportError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise ServiceError("error.storage_missing") from exc
    try:
        vault = Vault.create(vault_path, DEMO_PASSPHRASE, worker_id=DEMO_WORKER)
    except Exception as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise ServiceError("demo.failed") from exc
    reader = None
    running_center = None
    url: str | None = None
    person_ids: list[str] = []
    try:
        if center:
            try:
                running_center, url, person_ids = _start_center(folder, vault, people)
            except Exception:
                log.warning("demo center unavailable", exc_info=False)
                notes.append("demo.no_center")
        if url is None:  # no center: the people are seeded straight into the vault (provisional)
            try:
                _seed(vault, people)
            except Exception:
                log.warning("demo seeding failed", exc_info=False)
                notes.append("demo.no_people")
        person_ids += [op.subject for op in vault.operations() if op.kind == "person.register"]
        holder = _card_holder(vault, person_ids)
        if holder is not None:
            try:
                reader = _reader_for(*holder)
            except Exception:
                notes.append("demo.no_reader")
        else:
            notes.append("demo.no_reader")
    finally:
        vault.close()

    settings = Settings.model_validate({"vault_path": vault_path, "language": lang or "zh_CN", "center_url": url})

    def sync_factory(open_vault: VaultPort) -> SyncPort | None:
        if url is None:
            return None
        from sync.client.client import SyncClient

        return SyncClient(open_vault, url)

    ctx = AppContext(
        settings,
        clock=clock,
        reader_factory=(lambda: reader),
        sync_factory=sync_factory,
        demo=DemoInfo(passphrase=DEMO_PASSPHRASE, folder=folder, notes=notes),
    )

    def cleanup() -> None:
        if running_center is not None:
            running_center.stop()
        shutil.rmtree(folder, ignore_errors=True)

    ctx.cleanup = cleanup
    return ctx
