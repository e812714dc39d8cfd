"""End to end through the real pcscd + vsmartcard vpcd: the simulated card speaks the vpcd protocol.

Needs pcscd with vpcd (scripts/services.sh). Missing pcscd FAILS these tests unless OUTREACH_ALLOW_NO_PCSCD=1.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from hardware import CardData, CardRemoved, ReaderRole, WatchCallbacks, open_reader
from hardware.simulator import load_profile, make_card
from hardware.simulator.vpicc import VpiccClient
from tests.support.card_expectations import ERRORS, EXPECTED, WARNINGS
from tests.support.hardware import PSAM_READER, ROOT, USER_READER

pytestmark = pytest.mark.pcscd

#: Every instruction a PSAM-less read may send to a user card: none can touch a retry counter.
HARMLESS_INS = {0xA4, 0xB2, 0xB0, 0xC0, 0xA8}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_profile_through_pcscd(name, vcards):
    if name.startswith("v3"):
        vcards.insert("psam", slot=1)
    vcards.insert(name)
    data = open_reader("pcsc").read_card(USER_READER)
    assert isinstance(data, CardData)
    for field, value in EXPECTED[name].items():
        assert getattr(data, field) == value, field
    assert {w.code for w in data.warnings} == WARNINGS.get(name, set())
    assert data.reader == USER_READER


@pytest.mark.parametrize(("name", "error"), sorted(ERRORS.items()))
def test_profile_error_through_pcscd(name, error, vcards):
    vcards.insert(name)
    result = None
    with pytest.raises(error):
        result = open_reader("pcsc").read_card(USER_READER)
    assert result is None  # no partial value


def test_card_removed_mid_read_gives_card_removed(vcards):
    card = vcards.insert("pulled")
    with pytest.raises(CardRemoved) as info:
        open_reader("pcsc").read_card(USER_READER)
    assert info.value.reader == USER_READER
    assert card.pulled


def test_no_command_can_decrement_a_retry_counter_without_psam(vcards):
    card = vcards.insert("v3")
    reader = open_reader("pcsc")
    infos = {i.name: i for i in reader.list_readers()}  # includes the PSAM probe
    assert infos[USER_READER].role is ReaderRole.USER
    data = reader.read_card()  # auto reader, auto PSAM (none present)
    assert data.personal_data_status == "needs_psam"
    subprocess.run(
        [sys.executable, "-m", "outreach.cli.main", "card", "read", "--json"],
        check=True,
        capture_output=True,
        cwd=ROOT,
        timeout=60,
    )
    assert card.counters.decrements == 0
    assert (card.counters.ext_auth, card.counters.pin) == (3, 3)
    assert {apdu[1] for apdu in card.counters.log} <= HARMLESS_INS


def test_psam_found_automatically_and_auth_through_pcscd(vcards):
    psam = vcards.insert("psam", slot=1)
    card = vcards.insert("v3")
    reader = open_reader("pcsc")
    assert {i.name: i.role for i in reader.list_readers()}[PSAM_READER] is ReaderRole.PSAM
    data = reader.read_card()
    assert data.personal_data_status == "read"
    assert data.psam_terminal_id == "460100000001"
    assert card.counters.ext_auth == 3
    assert any(a[:2] == b"\xbf\xde" for a in psam.counters.log)


def test_watcher_sees_cards_come_and_go(vcards):
    q: queue.Queue = queue.Queue()
    reader = open_reader("pcsc")
    callbacks = WatchCallbacks(
        on_card_inserted=lambda r, atr: q.put(("in", r, atr)),
        on_card_removed=lambda r: q.put(("out", r)),
    )
    with reader.watcher(callbacks, poll_interval=0.2):
        card = vcards.insert("v2")
        event = q.get(timeout=5)
        while event[0] != "in" or event[1] != USER_READER:
            event = q.get(timeout=5)
        assert event[2] == card.atr
        vcards.remove()
        event = q.get(timeout=5)
        while event != ("out", USER_READER):
            event = q.get(timeout=5)


# -- pcscd stopped and started again (a private pcscd we own, in its own mount namespace) --------------

PRIVATE_PORT = 35981
PRIVATE_READER = "Private VPCD 00 00"


class PrivatePcscd:
    def __init__(self, base: Path) -> None:
        self.conf = base / "conf"
        self.run = base / "run"
        self.conf.mkdir()
        self.run.mkdir()
        (self.conf / "vpcd").write_text(
            'FRIENDLYNAME "Private VPCD"\n'
            f"DEVICENAME   /dev/null:{PRIVATE_PORT}\n"
            "LIBPATH      /usr/lib/pcsc/drivers/serial/libifdvpcd.so\n"
            f"CHANNELID    {PRIVATE_PORT}\n"
        )
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def socket(self) -> Path:
        return self.run / "pcscd.comm"

    def start(self) -> None:
        for stale in self.run.iterdir():
            stale.unlink()
        script = f"mount --bind {self.run} /run/pcscd && exec pcscd -f -c {self.conf}"
        self.proc = subprocess.Popen(
            ["unshare", "--mount", "--propagation", "private", "sh", "-c", script],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(100):
            if self.socket.exists():
                return
            time.sleep(0.05)
        raise RuntimeError("private pcscd did not start")

    def kill(self) -> None:
        if self.proc is not None:
            self.proc.kill()  # the pcscd we started (sh exec'd into it): by its own pid
            self.proc.wait(5)
            self.proc = None


@pytest.fixture
def private_pcscd(pcscd, tmp_path):
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        pytest.skip("a private pcscd needs root and unshare (mount namespace)")
    daemon = PrivatePcscd(tmp_path)
    try:
        daemon.start()
    except (RuntimeError, OSError) as exc:
        pytest.skip(f"cannot start a private pcscd: {exc}")
    yield daemon
    daemon.kill()


def test_reader_and_watcher_survive_pcscd_restart(private_pcscd):
    client = VpiccClient(make_card(load_profile("v2")), port=PRIVATE_PORT, reconnect=True).start()
    env = {**os.environ, "PCSCLITE_CSOCK_NAME": str(private_pcscd.socket)}
    probe = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("pcscd_restart_probe.py")), PRIVATE_READER],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    events: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [events.put(json.loads(x)) for x in probe.stdout], daemon=True).start()

    def wait_for(kind: str, timeout: float = 15.0) -> list:
        deadline = time.monotonic() + timeout
        while True:
            item = events.get(timeout=max(0.01, deadline - time.monotonic()))
            if item[0] == kind:
                return item

    def send(cmd: str) -> None:
        probe.stdin.write(cmd + "\n")
        probe.stdin.flush()

    try:
        assert wait_for("card+")[1] == PRIVATE_READER
        send("read")
        assert wait_for("read")[1] == "A00000011"
        private_pcscd.kill()
        assert wait_for("service")[1] == "ReaderServiceUnavailable"
        send("read")
        assert wait_for("error")[1] in ("ReaderServiceUnavailable", "NoReader")
        private_pcscd.start()
        assert wait_for("service")[1] is None
        assert wait_for("card+", 20)[1] == PRIVATE_READER
        send("read")
        assert wait_for("read")[1] == "A00000011"
        send("quit")
        assert wait_for("alive") == ["alive", True]
    finally:
        client.stop()
        probe.kill()
        probe.wait(5)
        probe.stdin.close()
        probe.stdout.close()


def test_cli_simulate_serves_a_card_until_ctrl_c(slots, tmp_path):
    import signal

    from tests.support.hardware import wait_card_state

    data = tmp_path / "person.json"
    data.write_text(json.dumps({"ef06": {"name": "黎明"}}), encoding="utf-8")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "outreach.cli.main",
            "card",
            "simulate",
            "--profile",
            "v2",
            "--data",
            str(data),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_card_state(USER_READER, True)
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "outreach.cli.main",
                "card",
                "read",
                "--reader",
                USER_READER,
                "--json",
                "--reveal",
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert json.loads(out.stdout)["name"] == "黎明"
    finally:
        proc.send_signal(signal.SIGINT)
        stdout, _ = proc.communicate(timeout=10)
    assert proc.returncode == 130
    wait_card_state(USER_READER, False)


def test_exclusive_use_by_another_program_is_reader_busy(vcards):
    from smartcard import scard as sc

    from hardware import ReaderBusy

    vcards.insert("v2")
    hr, ctx = sc.SCardEstablishContext(sc.SCARD_SCOPE_USER)
    hr, hcard, _ = sc.SCardConnect(ctx, USER_READER, sc.SCARD_SHARE_EXCLUSIVE, sc.SCARD_PROTOCOL_T0)
    assert hr == sc.SCARD_S_SUCCESS
    try:
        with pytest.raises(ReaderBusy) as info:
            open_reader("pcsc").read_card(USER_READER)
        assert "占用" in info.value.message_zh
    finally:
        sc.SCardDisconnect(hcard, sc.SCARD_LEAVE_CARD)
        sc.SCardReleaseContext(ctx)
    assert open_reader("pcsc").read_card(USER_READER).card_number == "A00000011"
