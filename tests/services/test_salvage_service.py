"""SalvageService on real damaged vault files: what it names, what it refuses before touching anything."""

from __future__ import annotations

from pathlib import Path

import pytest

from outreach.services.errors import ServiceError, WrongPassphrase
from outreach.services.session import VaultSession
from storage import Vault, opening
from storage.errors import DamagedVaultError
from tests.support.context import PASSPHRASE, make_context
from tests.support.damage import flip, roots
from tests.support.storage import file_state


class _UncheckedOpener:
    """Opens without the page check at opening (as a vault whose damage appears later): the first read of the
    bad page finds it."""

    def open(self, path: Path, passphrase: str) -> Vault:
        opened = opening.open_file(path, passphrase, check=False)
        return Vault(path, opened.conn, opened.key, opened.salt)

    def create(self, path: Path, passphrase: str, *, worker_id: str) -> Vault:  # pragma: no cover - unused
        raise NotImplementedError


def test_damage_met_by_a_read_is_named_when_the_export_is_offered(tmp_path: Path) -> None:
    from outreach.services.clock import FrozenClock
    from outreach.services.salvage import SalvageService
    from tests.support.context import NOW

    ctx = make_context(tmp_path)
    ctx.close()
    path = ctx.session.path
    flip(path, roots(path)["people"])
    session = VaultSession(path, opener=_UncheckedOpener)
    session.unlock(PASSPHRASE)
    try:
        salvage = SalvageService(session, FrozenClock(NOW))
        assert salvage.damage() is None  # nothing known yet
        with pytest.raises(DamagedVaultError):
            session.vault.find_people("王")
        assert session.damaged
        view = salvage.damage()
        assert view is not None
        assert any("人员" in item.zh and "people" in item.en for item in view.damaged)
        assert view.can_save
    finally:
        session.close()


def test_an_export_is_refused_before_anything_is_written(ctx, tmp_path: Path) -> None:
    ctx.session.close()
    path = ctx.session.path
    flip(path, roots(path)["visits"])
    ctx.session.unlock(PASSPHRASE)
    assert ctx.session.damaged
    before = file_state(path)[""]
    taken = tmp_path / "taken.db"
    taken.write_bytes(b"someone's file")
    with pytest.raises(ServiceError) as info:
        ctx.salvage.save(PASSPHRASE, taken)
    assert info.value.key == "salvage.exists"
    assert taken.read_bytes() == b"someone's file"
    fresh = tmp_path / "fresh.db"
    with pytest.raises(ServiceError) as info:
        ctx.salvage.save(PASSPHRASE, fresh, tmp_path / "no" / "stick" / "t.json")
    assert info.value.key == "salvage.no_folder"
    with pytest.raises(WrongPassphrase):
        ctx.salvage.save("not it", fresh)
    assert not fresh.exists()
    assert file_state(path)[""] == before
    result = ctx.salvage.save(PASSPHRASE, fresh)
    assert result.lost == ()
    assert fresh.is_file()


def test_damaged_device_keys_are_said_at_unlock(tmp_path: Path) -> None:
    ctx = make_context(tmp_path)
    path = ctx.session.path
    flip(path, roots(path)["vault_state"])
    before = file_state(path)
    try:
        with pytest.raises(ServiceError) as info:
            ctx.session.unlock(PASSPHRASE)
        assert info.value.key == "unlock.keys_damaged"
        assert not ctx.session.is_open
        assert ctx.salvage.damage() is None  # nothing to offer: nothing can be signed for the center
    finally:
        ctx.close()
    assert file_state(path) == before


def test_the_fresh_vault_takes_the_damaged_ones_place_and_sync_follows_it(tmp_path: Path) -> None:
    built: list[object] = []

    class _Client:
        def sync_once(self, **_: object) -> None:  # pragma: no cover - never reached in this test
            raise AssertionError

    def factory(vault: object) -> _Client:
        built.append(vault)
        return _Client()

    ctx = make_context(tmp_path, sync_factory=factory)
    path = ctx.session.path
    flip(path, roots(path)["visits"])
    damaged_bytes = path.read_bytes()
    try:
        ctx.session.unlock(PASSPHRASE)
        assert ctx.sync.available  # a client for the damaged vault (sync itself refuses it)
        assert ctx.sync.run().error_key == "sync.damaged"
        result = ctx.salvage.save(PASSPHRASE, ctx.salvage.suggested_target())
        kept = ctx.salvage.adopt(result)
        assert not ctx.session.is_open
        assert kept.read_bytes() == damaged_bytes  # kept, not deleted
        assert not result.target.exists()
        ctx.session.unlock(PASSPHRASE)
        assert not ctx.session.damaged
        assert ctx.sync.available
        assert len(built) == 2
        assert built[1] is ctx.session.vault  # the client follows the vault now in use
    finally:
        ctx.close()
