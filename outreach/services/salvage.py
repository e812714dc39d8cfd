"""Saving what a damaged vault still holds, from the app (``outreach vault salvage`` is the same from the CLI).

A damaged vault opens read-only (or, when its first page is damaged, not at all): nothing is written into it
and it does not sync. :class:`SalvageService` says what is damaged and what can be saved (:class:`DamageView`),
copies every operation that still verifies into a fresh vault (its projections are rebuilt from them and
the center's data is pulled again), optionally writes the fresh vault's outbox as a transfer file for the
center (a USB stick), and can put the fresh vault in the damaged one's place, which is kept beside it under
another name: nothing is ever deleted.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

from outreach.services.clock import Clock
from outreach.services.errors import NotUnlocked, ServiceError, WrongPassphrase
from outreach.services.session import VaultSession
from outreach.services.views import Bilingual, both
from storage import DamageReport, Vault
from storage.errors import (
    TooManyAttemptsError,
    VaultError,
    VaultExistsError,
    WrongPassphraseError,
)
from storage.integrity import TABLE_NAMES
from storage.salvage import Salvaged

#: The vault's companions, moved with it when the fresh vault takes its place.
COMPANIONS = ("-wal", "-shm", ".attempts.json")


@dataclass(frozen=True)
class DamageView:
    """What is damaged, in both languages. ``first_page``: the vault did not open (page 1 damaged);
    ``can_save``: something can be exported (False when the device keys are unreadable)."""

    first_page: bool
    bad_pages: int
    damaged: tuple[Bilingual, ...]
    verdict: Bilingual
    can_save: bool


@dataclass(frozen=True)
class SalvageResult:
    target: Path
    recovered: int
    lost: tuple[int, ...]
    photos: int
    photos_lost: int
    usb: Path | None = None
    usb_operations: int = 0
    usb_problem: Bilingual | None = None


def _pages(pages: tuple[int, ...]) -> str:
    return ", ".join(str(p) for p in pages[:10]) + (" ..." if len(pages) > 10 else "")


def view_of(report: DamageReport) -> DamageView:
    damaged = []
    for table, pages in sorted(report.tables.items()):
        zh, en = TABLE_NAMES.get(table, ("未知内容", "unknown content"))
        damaged.append(Bilingual(f"{zh}（第 {_pages(pages)} 页）", f"{en} (page {_pages(pages)})"))
    if report.keys_lost:
        verdict = "salvage.verdict.keys_lost"
    elif report.log_damaged:
        verdict = "salvage.verdict.log_damaged"
    elif report.tables and set(report.tables) <= {"(freelist)"}:
        verdict = "salvage.verdict.unused"
    else:
        verdict = "salvage.verdict.log_intact"
    return DamageView(False, len(report.bad_pages), tuple(damaged), both(verdict), not report.keys_lost)


def first_page_view(others: int, intact: int) -> DamageView:
    return DamageView(True, 1, (both("salvage.first_page_damaged"),),
                      both("salvage.verdict.first_page", others=others, intact=intact), True)


class SalvageService:
    def __init__(self, session: VaultSession, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    def damage(self) -> DamageView | None:
        """What the open vault's check found, or the first-page damage unlocking found; None: no damage."""
        if self._session.is_open:
            vault = self._session.vault
            if not isinstance(vault, Vault) or not vault.damaged:
                return None
            if vault.damage is None:  # found by a read after opening: check every page now to name it
                report = vault.check_integrity(full=False)
                return view_of(report) if not report.ok else None
            return view_of(vault.damage)
        first = self._session.first_page_damage
        return first_page_view(*first) if first is not None else None

    def suggested_target(self) -> Path:
        """A fresh vault's place beside the damaged one, named by the time."""
        stamp = self._clock.now().strftime("%Y%m%d-%H%M%S")
        path = self._session.path
        return path.with_name(f"{path.stem}-saved-{stamp}{path.suffix}")

    def save(self, passphrase: str, target: Path, usb: Path | None = None) -> SalvageResult:
        """Copy every operation that verifies into a fresh vault at ``target`` under the same passphrase (and,
        with ``usb``, the fresh vault's outbox into that transfer file). The damaged vault is only read.

        Raises:
            WrongPassphrase: not this vault's passphrase (the same growing wait as at unlock).
            ServiceError: ``salvage.exists`` (something is at ``target`` or ``usb``), ``salvage.no_folder`` (the
                transfer file's folder is missing), ``salvage.failed`` (with the storage's words in ``detail``).
        """
        target, usb = Path(target).expanduser(), Path(usb).expanduser() if usb else None
        for wanted in (target, *([usb] if usb else [])):
            if wanted.exists() or wanted.is_symlink():
                raise ServiceError("salvage.exists", path=str(wanted))
        if usb is not None and not usb.parent.is_dir():
            raise ServiceError("salvage.no_folder", path=str(usb.parent))
        try:
            found = self._salvage(passphrase, target)
        except (WrongPassphraseError, TooManyAttemptsError) as exc:
            raise WrongPassphrase(exc.retry_after) from None
        except VaultExistsError:
            raise ServiceError("salvage.exists", path=str(target)) from None
        except VaultError as exc:
            raise ServiceError("salvage.failed", detail=(exc.message_zh, exc.message_en)) from None
        result = SalvageResult(target, len(found.operations), tuple(found.lost), len(found.attachments),
                               found.attachments_lost)
        if usb is None:
            return result
        count, problem = self._write_usb(target, passphrase, usb)
        return SalvageResult(**{**result.__dict__, "usb": usb, "usb_operations": count, "usb_problem": problem})

    def _salvage(self, passphrase: str, target: Path) -> Salvaged:
        if self._session.is_open:
            self._session.confirm(passphrase)
            vault = self._session.vault
            if not isinstance(vault, Vault):
                raise NotUnlocked()
            return vault.salvage(target, passphrase)
        if self._session.first_page_damage is None:
            raise NotUnlocked()
        return Vault.salvage_first_page(self._session.path, passphrase, target)

    def _write_usb(self, target: Path, passphrase: str, usb: Path) -> tuple[int, Bilingual | None]:
        from sync import transfer
        from sync.errors import NotEnrolled, SyncError

        try:
            with Vault.open(target, passphrase) as fresh:
                data, count = transfer.export_file(fresh)
        except NotEnrolled:
            return 0, both("salvage.usb_not_enrolled")
        except SyncError as exc:
            return 0, Bilingual(exc.message_zh, exc.message_en)
        except VaultError as exc:
            return 0, Bilingual(exc.message_zh, exc.message_en)
        tmp = usb.with_name(usb.name + ".tmp")
        try:
            tmp.write_bytes(data)
            os.replace(tmp, usb)
        except OSError:
            with contextlib.suppress(OSError):
                tmp.unlink()
            return 0, both("salvage.usb_failed")
        return count, None

    def adopt(self, result: SalvageResult) -> Path:
        """Put the fresh vault in the damaged one's place: the damaged file (and its companions) is renamed
        beside it, never deleted; the session is closed (unlock again). Returns the damaged file's new name.

        Raises:
            ServiceError: ``salvage.adopt_failed`` when the files cannot be moved (nothing was moved).
        """
        path = self._session.path
        kept = path.with_name(f"{path.name}.damaged-{self._clock.now().strftime('%Y%m%d-%H%M%S')}")
        if kept.exists() or not result.target.is_file():
            raise ServiceError("salvage.adopt_failed")
        self._session.close()
        moved: list[tuple[Path, Path]] = []
        try:
            for suffix in ("", *COMPANIONS):
                old = Path(str(path) + suffix)
                if old.exists():
                    os.replace(old, Path(str(kept) + suffix))
                    moved.append((Path(str(kept) + suffix), old))
            for suffix in ("", *COMPANIONS):
                new = Path(str(result.target) + suffix)
                if new.exists():
                    os.replace(new, Path(str(path) + suffix))
                    moved.append((Path(str(path) + suffix), new))
        except OSError:
            for now_at, was_at in reversed(moved):
                with contextlib.suppress(OSError):
                    os.replace(now_at, was_at)
            raise ServiceError("salvage.adopt_failed") from None
        self._session.first_page_damage = None
        return kept
