"""``outreach card ...`` with the in-process simulator (``--demo``)."""

from __future__ import annotations

import json

from outreach.cli.main import main
from outreach.domain.enums import ETHNICITY_NAMES


def test_read_masked_by_default(capsys):
    assert main(["--demo", "card", "read"]) == 0
    out = capsys.readouterr().out
    assert "姓名 name: 测*" in out
    assert "460100199001010019" not in out
    assert "4601************19" in out


def test_read_json_reveal(capsys):
    assert main(["--demo", "card", "read", "--json", "--reveal"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["ssn"] == "460100199001010019"
    assert data["personal_data_status"] == "read"
    assert data["psam_terminal_id"] == "460100000001"


def test_read_without_psam_says_so(capsys):
    assert main(["--demo", "card", "read", "--no-psam"]) == 0
    assert "needs a PSAM" in capsys.readouterr().out


def test_readers_and_error_exit(capsys):
    assert main(["--demo", "card", "readers"]) == 0
    out = capsys.readouterr().out
    assert "[psam]" in out
    assert "[user]" in out
    assert main(["--demo", "card", "read", "--reader", "nope"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("未找到读卡器")


def test_simulate_bad_profile(capsys):
    assert main(["card", "simulate", "--profile", "no-such-card"]) == 2
    assert "no card profile" in capsys.readouterr().err


def test_read_names_the_ethnicity(capsys):
    assert main(["--demo", "card", "read", "--json"]) == 0
    code = json.loads(capsys.readouterr().out)["ethnicity"]
    assert main(["--demo", "card", "read"]) == 0
    zh, en = ETHNICITY_NAMES[code]
    assert f"民族 ethnicity: {code} {zh} {en}" in capsys.readouterr().out
