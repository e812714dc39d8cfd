"""The composition root: settings, vault session, card reader, sync client and the use cases, wired once.

The UI receives one :class:`AppContext` and calls its use cases; nothing else builds services. Missing
pieces (no reader, no center, no sync layer) leave the matching part ``None``/unavailable instead of
failing: the app must start on a machine with nothing configured.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from pydantic import ValidationError

from outreach.services.cards import CardService
from outreach.services.clock import Clock
from outreach.services.errors import InvalidSettings
from outreach.services.home import HomeService, deadlines_coming_due
from outreach.services.people import PeopleService
from outreach.services.ports import SyncPort, VaultPort
from outreach.services.reader import ReaderFactory, ReaderService, default_reader_factory
from outreach.services.session import VaultOpener, VaultSession, default_opener
from outreach.services.syncing import SyncFactory, SyncService
from outreach.services.views import DeadlineView
from outreach.settings import Settings


@dataclass
class DemoInfo:
    """What the demo shows: its public passphrase and where its throwaway files live."""

    passphrase: str
    folder: Path
    notes: list[str] = field(default_factory=list)
    """Message keys of pieces that could not be set up (e.g. ``demo.no_center``)."""


def default_sync_factory(settings: Settings) -> SyncFactory:
    """The sync client for the enrolled center, or None when not enrolled / no sync layer."""

    def build(vault: VaultPort) -> SyncPort | None:
        if not settings.center_url:
            return None
        from sync.client.client import SyncClient

        return SyncClient(vault, settings.center_url)

    return build


class AppContext:
    """Everything the UI may call. Build with :func:`build_context`."""

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock | None = None,
        opener: VaultOpener | None = None,
        reader_factory: ReaderFactory | None = None,
        sync_factory: SyncFactory | None = None,
        demo: DemoInfo | None = None,
        settings_path: Path | None = None,
    ) -> None:
        self.settings = settings
        self.settings_path = settings_path
        self.clock = clock or Clock()
        self.demo = demo
        self.session = VaultSession(settings.vault_path, opener=(lambda: opener) if opener else default_opener)
        self.people = PeopleService(self.session, self.clock, self.center_label)
        self.cards = CardService(self.session, self.clock)
        self.home = HomeService(self.session, self.clock, self._deadlines, self.center_label)
        from outreach.services.visits import VisitService

        self.visits = VisitService(self.session, self.clock)
        self.sync = SyncService(self.session, self.clock, sync_factory)
        from outreach.services.drafts import DraftService

        self.drafts = DraftService(self.session)
        self.reader = ReaderService(self.session, self.people, reader_factory)
        from outreach.services.supervision import SupervisionService

        self.supervision = SupervisionService(self.session, self.clock)
        from outreach.services.bulkdays import BulkDayService

        self.bulkdays = BulkDayService(self.session, self.clock, self.cards)
        from outreach.services.photos import PhotoService

        self.photos = PhotoService(self.session, lambda: self.settings.photo_folder)
        from outreach.services.salvage import SalvageService

        self.salvage = SalvageService(self.session, self.clock)
        #: Called once by :meth:`close` (the demo removes its throwaway folder and stops its center).
        self.cleanup: Callable[[], None] | None = None

    def center_label(self) -> str | None:
        """A short name of the center: its host, or None when not enrolled."""
        url = self.settings.center_url
        if not url:
            return None
        return urlparse(url).hostname or url

    def _deadlines(self) -> list[DeadlineView]:
        """Deadlines coming due across the whole vault, the nearest first (see :func:`deadlines_coming_due`)."""
        return deadlines_coming_due(self.session, self.clock)

    def save_settings(self, **changes: object) -> Settings:
        """Apply and persist changes (language, center, idle minutes, reader, theme), checked by the settings
        model (the one check of their bounds).

        Raises:
            InvalidSettings: a value the model refuses, with the settings it is about; nothing changed.
        """
        try:
            self.settings = Settings.model_validate(self.settings.model_dump() | changes)
        except ValidationError as exc:
            raise InvalidSettings(sorted({str(e["loc"][0]) for e in exc.errors() if e.get("loc")})) from None
        if self.demo is None:
            self.settings.save(self.settings_path)
        return self.settings

    def close(self) -> None:
        self.reader.close()
        self.session.close()
        cleanup, self.cleanup = self.cleanup, None
        if cleanup is not None:
            cleanup()


def build_context(
    *, vault: str | Path | None = None, lang: str | None = None, settings: Settings | None = None,
    opener: VaultOpener | None = None, clock: Clock | None = None,
) -> AppContext:
    """The real app: settings from the config folder, the vault, the hardware factory, the sync client."""
    settings = settings or Settings.load()
    if vault is not None:
        settings = settings.model_copy(update={"vault_path": Path(vault)})
    if lang is not None:
        settings = settings.model_copy(update={"language": lang})
    return AppContext(
        settings,
        clock=clock,
        opener=opener,
        reader_factory=default_reader_factory(settings.reader),
        sync_factory=default_sync_factory(settings),
    )
