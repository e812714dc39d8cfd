"""The person's receipt in the app (issue 16): one key on the confirmation prints it through a real CUPS queue
(a file-backed printer) or saves it where the worker says; an offline printer is said in the dialog and the
receipt stays for reprinting from the person's history, which prints it once the printer is back."""

from __future__ import annotations

import subprocess

import pytest
from textual.widgets import Input

from outreach.i18n import CATALOGUES
from outreach.ui.dialogs.choice import ChoiceDialog
from outreach.ui.dialogs.receipt import ReceiptDialog
from outreach.ui.screens.form import FormScreen
from outreach.ui.screens.person import PersonScreen
from tests.receipts.receipt_support import cups_file_queue, pdf_text, printed
from tests.support.pilot import settle, unlock, wait_for

pytestmark = pytest.mark.anyio
ZH = CATALOGUES["zh_CN"]
NAME = "王秀英"  # a seeded person with an active card


@pytest.fixture
def queue():
    with cups_file_queue() as made:
        yield made


def _page(data: bytes) -> tuple[float, float, int]:
    """(width mm, height mm, pages) of a PDF, by pdfinfo."""
    info = subprocess.run(["pdfinfo", "-"], input=data, capture_output=True, check=True).stdout.decode()
    size = info.split("Page size:")[1].split("pts")[0].split("x")
    pages = int(info.split("Pages:")[1].split()[0])
    return float(size[0]) / 72 * 25.4, float(size[1]) / 72 * 25.4, pages


async def _save_a_loss_report(app, pilot) -> str:
    """Report the card lost (15 days) and stay on the confirmation; returns the operation's id."""
    pid = app.ctx.people.find(NAME)[0].person_id
    app.open_person(pid)
    await settle(pilot)
    app.push_screen(FormScreen("card.loss_temporary", pid))
    await settle(pilot)
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: isinstance(app.screen, ReceiptDialog))
    assert isinstance(app.screen, ReceiptDialog)
    return app.screen.op_id


async def test_print_key_on_the_confirmation_prints_through_cups(make_app, queue):
    name, out = queue
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await unlock(pilot)
        app.ctx.settings = app.ctx.settings.model_copy(update={"printer": name})
        await _save_a_loss_report(app, pilot)
        dialog = app.screen
        await pilot.press("p")
        await wait_for(pilot, lambda: dialog.last_status.startswith("✓"))
        assert dialog.last_status == "✓ " + ZH["receipt.ui.printed"].format(printer=name)
    data = printed(out)
    text = pdf_text(data)
    assert NAME in text
    assert ZH["kind.card.loss_temporary"] in text
    width, height, _pages = _page(data)
    assert (round(width), round(height)) == (148, 210)  # on A5, the settings' default, not the queue's Letter


async def test_save_key_writes_the_pdf_only_where_the_worker_chose(make_app, tmp_path):
    app = make_app()
    target = tmp_path / "chosen" / "回执.pdf"
    target.parent.mkdir()
    async with app.run_test(size=(100, 30)) as pilot:
        await unlock(pilot)
        await _save_a_loss_report(app, pilot)
        dialog = app.screen
        await pilot.press("s")
        await settle(pilot)
        box = dialog.query_one("#receipt-path", Input)
        assert box.display
        box.value = str(target)
        await pilot.press("enter")
        await wait_for(pilot, lambda: dialog.last_status.startswith("✓"))
        assert isinstance(app.screen, ReceiptDialog)  # the confirmation stays for printing too
    assert NAME in pdf_text(target.read_bytes())
    assert list(target.parent.iterdir()) == [target]


async def test_offline_printer_is_said_and_the_receipt_is_reprinted_from_history(make_app, queue):
    name, out = queue
    app = make_app()
    subprocess.run(["cupsdisable", name], check=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await unlock(pilot)
        app.ctx.settings = app.ctx.settings.model_copy(update={"printer": name})
        op_id = await _save_a_loss_report(app, pilot)
        dialog = app.screen
        await pilot.press("p")
        await wait_for(pilot, lambda: dialog.last_status.startswith("✕"))
        assert "离线" in dialog.last_status
        assert "补打" in dialog.last_status  # the receipt is kept for reprinting
        assert out.stat().st_size == 0
        await pilot.press("enter")  # done with the confirmation
        await wait_for(pilot, lambda: isinstance(app.screen, PersonScreen))

        subprocess.run(["cupsenable", name], check=True)  # the printer is back
        await pilot.press("p")  # reprint from the person's history
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceDialog))
        assert isinstance(app.screen, ChoiceDialog)
        options = app.screen.query_one("#choices")
        assert options.get_option_at_index(0).id == op_id  # the newest first
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ReceiptDialog))
        again = app.screen
        assert again.op_id == op_id
        await pilot.press("p")
        await wait_for(pilot, lambda: again.last_status.startswith("✓"))
    text = pdf_text(printed(out))
    assert NAME in text
    assert ZH["kind.card.loss_temporary"] in text


async def test_printer_and_roll_paper_chosen_in_the_settings_screen_are_used(make_app, queue):
    """The worker names the CUPS queue and picks the 80 mm roll in the settings: the next receipt goes to that
    queue, laid out 80 mm wide in one strip. (The test queue's PDF driver has no roll size and lays what it gets
    on Letter, so the strip is measured as the app renders it for that print.)"""
    from textual.widgets import Select

    from outreach.ui.dialogs.receipt import receipt_service
    from outreach.ui.screens.settings import SettingsScreen

    name, out = queue
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await unlock(pilot)
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, SettingsScreen)
        app.screen.query_one("#printer", Input).value = name
        app.screen.query_one("#paper", Select).value = "roll80"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.ctx.settings.printer == name
        assert app.ctx.settings.receipt_paper == "roll80"
        await _save_a_loss_report(app, pilot)
        dialog = app.screen
        await pilot.press("p")
        await wait_for(pilot, lambda: dialog.last_status.startswith("✓"))
        strip = receipt_service(app).pdf(dialog.op_id)  # what the print sent: the paper of the settings
    width, height, pages = _page(strip)
    assert round(width) == 80
    assert pages == 1
    assert height > 210  # one long strip rather than pages
    assert NAME in pdf_text(printed(out))
