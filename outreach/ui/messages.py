"""Messages the app's workers and widgets send upward. Small documented dataclasses, nothing else.

Workers run in threads and never touch widgets: they ``post_message`` one of these (thread-safe) and a
handler on the event loop updates the screen. Messages the app hands on to the current screen
(reader, sync) do not bubble, so they never come back up to the app.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from outreach.services.views import (
    HomeSummary,
    OpIssue,
    PersonHit,
    PersonPage,
    ReaderView,
    SaveResult,
    SyncProgress,
    SyncSummary,
)


@dataclass
class Unlocked(Message):
    """The vault is open (or the lock screen was left): show the data again."""


@dataclass
class UnlockFailed(Message):
    """The passphrase was refused. ``key``/``params``: the message to show; ``wait``: seconds to wait."""

    key: str
    wait: float = 0.0
    params: dict[str, object] | None = None


@dataclass
class ReaderPoke(Message):
    """The hardware watcher saw a reader or a card come or go (posted from its thread)."""


@dataclass
class ReaderChanged(Message, bubble=False):
    """What is in the card reader now."""

    view: ReaderView


@dataclass
class HomeLoaded(Message):
    """The day at a glance, freshly read."""

    summary: HomeSummary


@dataclass
class SearchDone(Message):
    """Results for ``query`` (older queries' results are dropped by the screen)."""

    query: str
    hits: list[PersonHit]


@dataclass
class PersonLoaded(Message):
    """A person page, freshly read (after a reveal too)."""

    page: PersonPage


@dataclass
class FormSaved(Message):
    """Outcome of a form: saved, refused by the rules, or invalid input (see :class:`SaveResult`)."""

    result: SaveResult
    person_id: str | None = None


@dataclass
class SyncStepped(Message, bubble=False):
    """Progress of the running sync."""

    progress: SyncProgress


@dataclass
class SyncFinished(Message, bubble=False):
    """The sync ended (done, cancelled or failed: see the summary)."""

    summary: SyncSummary


@dataclass
class IssuesLoaded(Message):
    """Rejected and conflicting operations, freshly read (no sync ran)."""

    issues: list[OpIssue]


@dataclass
class Notice(Message):
    """Ask the app to show a message from the catalogue (``severity``: information / warning / error)."""

    key: str
    severity: str = "information"


@dataclass
class BulkLine(Message):
    """A bulk day's roster line opened at the table (``line``), or why none could be (``problem``, (zh, en))."""

    line: object | None
    problem: tuple[str, str] | None = None


@dataclass
class BulkRecorded(Message):
    """A record step at the table ended: ``message`` (zh, en); ``op_id`` when something was written."""

    message: tuple[str, str]
    op_id: str | None = None
    already: bool = False


@dataclass
class BulkProgress(Message):
    """A bulk day's progress, freshly read (``progress``: ``outreach.services.bulkdays.Progress``)."""

    progress: object
