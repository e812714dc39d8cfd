"""A new vault passphrase is judged by how guessable it is (zxcvbn with the worker's context), not by its
length (issue 11, M10): first run in the app, and ``vault init`` / ``vault passwd`` on the command line."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from outreach.i18n import CATALOGUES
from outreach.ui.screens.home import HomeScreen
from outreach.ui.screens.unlock import UnlockScreen
from tests.support.pilot import screen_text, settle

ZH = CATALOGUES["zh_CN"]
EN = CATALOGUES["en"]

#: Accepted by the old alphabet-times-length rule, all guessed at once: a common password with digits, the
#: place with the year, pinyin and Chinese names with a birth year, the worker ID with the year, a mobile.
GUESSABLE = ["password1", "password123", "Hainan2026!", "wangxiuying1948", "Wang.Xiu_Ying-1948", "王秀英1948",
             "worker2-2026", "13908981234", "haikou123456"]


@pytest.mark.anyio
@pytest.mark.parametrize("passphrase", GUESSABLE)
async def test_first_run_refuses_a_guessable_passphrase_and_creates_nothing(make_app, passphrase):
    app = make_app(create=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.screen.query_one("#worker-id", Input).value = "worker2"
        app.screen.query_one("#passphrase", Input).value = passphrase
        await pilot.pause()
        assert ZH["strength.need_more"] in str(app.screen.query_one("#strength").render())
        app.screen.query_one("#again", Input).value = passphrase
        app.screen.query_one("#again", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, UnlockScreen)
        assert not app.ctx.session.exists()
        assert ZH["unlock.weak"][:8] in screen_text(app)
        assert passphrase not in screen_text(app)


@pytest.mark.anyio
async def test_first_run_accepts_a_few_unrelated_words(make_app):
    app = make_app(create=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.screen.query_one("#worker-id", Input).value = "worker2"
        for field in ("#passphrase", "#again"):
            app.screen.query_one(field, Input).value = "purple kettle under rain"
        await pilot.pause()
        assert ZH["strength.need_more"] not in str(app.screen.query_one("#strength").render())
        app.screen.query_one("#again", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert app.ctx.session.exists()


def test_vault_init_and_passwd_refuse_a_guessable_passphrase_in_both_languages(tmp_path, capsys):
    from outreach.cli.main import main

    vault = tmp_path / "vault.db"
    weak, good, other = tmp_path / "weak", tmp_path / "good", tmp_path / "other"
    weak.write_text("alice1990\n", encoding="utf-8")  # the worker ID and a year
    good.write_text("brass lantern old quay\n", encoding="utf-8")
    other.write_text("copper sail new harbour\n", encoding="utf-8")
    assert main(["vault", "init", "--worker", "alice", "--vault", str(vault), "--passphrase-file", str(weak)]) == 2
    err = capsys.readouterr().err
    assert ZH["unlock.weak"] in err
    assert EN["unlock.weak"] in err
    assert "alice1990" not in err
    assert not vault.exists()
    assert main(["vault", "init", "--worker", "alice", "--vault", str(vault), "--passphrase-file", str(good)]) == 0
    assert main(["vault", "passwd", "--vault", str(vault), "--passphrase-file", str(good),
                 "--new-passphrase-file", str(weak)]) == 2
    assert ZH["unlock.weak"] in capsys.readouterr().err
    assert main(["vault", "check", "--vault", str(vault), "--passphrase-file", str(good)]) == 0  # unchanged
    assert main(["vault", "passwd", "--vault", str(vault), "--passphrase-file", str(good),
                 "--new-passphrase-file", str(other)]) == 0
