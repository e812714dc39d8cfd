"""A damaged vault in the app (issue 12): at unlock the worker is told what is damaged, that it can be read but
not written or synced, and is offered to export every record that still verifies into a fresh vault and a USB
transfer file for the center; the fresh vault can then take the damaged one's place (which is kept). The
vaults are real SQCipher files with one bit flipped in one page (tests/support/damage.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from textual.widgets import Button, Input

from outreach.i18n import CATALOGUES
from outreach.ui.dialogs.salvage import SalvageDialog
from outreach.ui.screens.home import HomeScreen
from outreach.ui.screens.unlock import UnlockScreen
from storage import DamagedVaultError, Vault
from tests.support.context import PASSPHRASE, make_context
from tests.support.damage import flip, pages_of, reset_attempts, roots
from tests.support.pilot import screen_text, settle, unlock, wait_for
from tests.support.storage import file_state
from tests.ui.test_one_language import chinese_runs, english_words
from tests.ui.test_one_language import screen_text as visible_text

pytestmark = pytest.mark.anyio


def _context_with_work(tmp_path: Path, lang: str = "zh_CN"):
    """A context over a vault holding operations (a loss report, a visit) and the center's box key."""
    ctx = make_context(tmp_path, lang=lang)
    ctx.session.unlock(PASSPHRASE)
    pid = ctx.people.find("王秀英")[0].person_id
    assert ctx.cards.record(pid, "card.loss_temporary", {"period": "15d", "identity_verified": True}).saved
    box = X25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    ctx.session.vault.set_meta("sync.center_box_key", box.hex())
    hashes = [op.hash for op in ctx.session.vault.operations()]
    ctx.session.close()
    return ctx, hashes


def _app(ctx):
    from outreach.ui.app import OutreachApp

    return OutreachApp(ctx, blink=False, auto_sync_minutes=0.01, idle_check_seconds=3600)


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
async def test_a_damaged_vault_is_said_at_unlock_and_nothing_is_written_or_synced(tmp_path, lang):
    ctx, _ = _context_with_work(tmp_path, lang)
    path = ctx.session.path
    flip(path, roots(path)["visits"])  # one bit of one page: that page fails its HMAC check
    reset_attempts(path)
    before = file_state(path)
    app = _app(ctx)
    cat = CATALOGUES[lang]
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await unlock(pilot)
            await settle(pilot)
            assert isinstance(app.screen, SalvageDialog), screen_text(app)
            text = visible_text(app)
            assert cat["salvage.title"] in text
            assert ("走访" if lang == "zh_CN" else "visits") in text  # the damaged table, in the worker's words
            shown = text.replace(app.screen.query_one("#salvage-target", Input).value, " ")  # a path, as it is
            if lang == "zh_CN":  # one language on screen (issue 11's rule), the damage words included
                assert not english_words(shown), english_words(shown)
            else:
                assert not chinese_runs(shown, []), chinese_runs(shown, [])
            assert app._sync_timer is None  # no background sync armed
            assert not app._may_sync()
            await pilot.press("escape")  # later: browse read-only
            await settle(pilot)
            assert isinstance(app.screen, HomeScreen)
            pid = ctx.people.find("符亚明")[0].person_id  # still readable
            result = ctx.cards.record(pid, "card.loss_temporary", {"period": "15d", "identity_verified": True})
            assert not result.saved
            summary = ctx.sync.run()
            assert summary.error_key == "sync.damaged"
            assert not summary.pushed
            await pilot.press("f7")  # the offer comes back
            await settle(pilot)
            assert isinstance(app.screen, SalvageDialog)
    finally:
        ctx.close()
    assert file_state(path) == before


async def test_export_to_a_fresh_vault_and_a_usb_file_then_carry_on_with_it(tmp_path):
    ctx, hashes = _context_with_work(tmp_path)
    path = ctx.session.path
    flip(path, pages_of(path, "people")[0])
    reset_attempts(path)
    before = file_state(path)
    usb = tmp_path / "usb" / "transfer.json"
    usb.parent.mkdir()
    app = _app(ctx)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await unlock(pilot)
            await settle(pilot)
            dialog = app.screen
            assert isinstance(dialog, SalvageDialog)
            target = Path(dialog.query_one("#salvage-target", Input).value)
            assert target.parent == path.parent
            dialog.query_one("#salvage-usb", Input).value = str(usb)
            dialog.query_one("#salvage-passphrase", Input).value = "not the passphrase"
            await pilot.press("enter")
            await wait_for(pilot, lambda: not dialog.query_one("#salvage-save", Button).disabled)
            assert "口令不正确" in screen_text(app)
            assert not target.exists()
            dialog.query_one("#salvage-passphrase", Input).value = PASSPHRASE
            await pilot.press("enter")
            await wait_for(pilot, lambda: not dialog.query_one("#salvage-adopt", Button).disabled)
            text = str(dialog.query_one("#salvage-message").render())
            assert f"已把 {len(hashes)} 条操作导出到新的保险库" in text
            assert "已写入 U 盘传输文件" in text
            assert path.read_bytes() == before[""]  # the damaged vault was only read (it is still open)
            doc = json.loads(usb.read_bytes())
            assert doc["format"] == "outreach-transfer-v1"
            await pilot.click("#salvage-adopt")
            await settle(pilot)
            assert "受损的文件保留为" in str(dialog.query_one("#salvage-message").render())
            await pilot.click("#salvage-later")
            await wait_for(pilot, lambda: isinstance(app.screen, UnlockScreen))
            assert isinstance(app.screen, UnlockScreen)
            await unlock(pilot)
            await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen))
            assert isinstance(app.screen, HomeScreen), screen_text(app)
            assert not ctx.session.damaged
            assert [op.hash for op in ctx.session.vault.operations()] == hashes
            assert ctx.session.vault.pending_count() == len(hashes)  # unsent work is still waiting for the center
            ctx.session.vault.set_meta("test.writable", "1")  # writable again (the people come with the next pull)
    finally:
        ctx.close()
    kept = [p for p in path.parent.glob("vault.db.damaged-*") if not p.name.endswith(("-wal", "-shm", ".json"))]
    assert len(kept) == 1
    assert kept[0].read_bytes() == before[""]  # the damaged file is kept as it was, never deleted


async def test_first_page_damage_is_not_a_wrong_passphrase_and_is_saved(tmp_path):
    ctx, hashes = _context_with_work(tmp_path)
    path = ctx.session.path
    flip(path, 1, 200)
    reset_attempts(path)
    before = file_state(path)
    app = _app(ctx)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await unlock(pilot)
            await wait_for(pilot, lambda: isinstance(app.screen, SalvageDialog))
            dialog = app.screen
            assert isinstance(dialog, SalvageDialog)
            assert "第 1 页" in screen_text(app)
            assert not ctx.session.is_open
            dialog.query_one("#salvage-passphrase", Input).value = PASSPHRASE
            await pilot.press("enter")
            await wait_for(pilot, lambda: not dialog.query_one("#salvage-adopt", Button).disabled)
            target = Path(dialog.query_one("#salvage-target", Input).value)
            await pilot.press("escape")
            await settle(pilot)
            assert isinstance(app.screen, UnlockScreen)
            said = str(app.screen.query_one("#unlock-message").render())
            assert "口令正确，但保险库第 1 页" in said
            assert "口令不正确" not in said
    finally:
        ctx.close()
    assert file_state(path) == before
    with Vault.open(target, PASSPHRASE) as fresh:
        assert [op.hash for op in fresh.operations()] == hashes
        assert fresh.verify_log().ok


async def test_damage_met_while_the_app_runs_stops_sync_and_offers_the_export_by_itself(tmp_path):
    ctx, _ = _context_with_work(tmp_path)
    path = ctx.session.path
    with Vault.open(path, PASSPHRASE) as vault:
        vault.put_attachment(b"\xff\xd8photo" * 2000, "image/jpeg")
    app = _app(ctx)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await unlock(pilot)
            await settle(pilot)
            assert isinstance(app.screen, HomeScreen)
            assert not ctx.session.damaged
            flip(path, pages_of(path, "attachments")[-1])  # the disk fails under the running app, in a photo
            # A test-sized vault is all in SQLite's page cache after the opening check, so a read would not meet
            # the page: the vault's own check finds it, as a read of a larger vault would.
            assert not ctx.session.vault.check_integrity().ok
            assert ctx.session.damaged
            with pytest.raises(DamagedVaultError):
                ctx.session.vault.set_meta("k", "v")
            assert ctx.sync.run().error_key == "sync.damaged"
            # the offer opens by itself once the damage is known, naming the damaged table ...
            await wait_for(pilot, lambda: isinstance(app.screen, SalvageDialog))
            assert isinstance(app.screen, SalvageDialog)
            assert "照片" in screen_text(app)
            await pilot.press("escape")  # ... once: put aside, it stays away ...
            await wait_for(pilot, lambda: not isinstance(app.screen, SalvageDialog), timeout=3)
            await pilot.pause(1.5)
            assert not isinstance(app.screen, SalvageDialog)
            await pilot.press("f7")  # ... and F7 brings it back
            await wait_for(pilot, lambda: isinstance(app.screen, SalvageDialog))
            assert isinstance(app.screen, SalvageDialog)
    finally:
        ctx.close()
