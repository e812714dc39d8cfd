"""The center's settings: OUTREACH_CENTER_* variables, command-line options over them, refusals in words."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pydantic import ValidationError

from outreach.cli.main import main
from sync.center.factory import open_store
from sync.center.settings import ENV_PREFIX, CenterSettings, explain
from sync.errors import EnrolmentRefused

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    for name in CenterSettings.model_fields:
        monkeypatch.delenv(ENV_PREFIX + name.upper(), raising=False)


def test_defaults_without_variables():
    s = CenterSettings()
    assert (s.db, s.pg_schema, s.key_file) == (None, None, None)
    assert (s.host, s.port, s.enrol_code_hours, s.due_every_minutes) == ("127.0.0.1", 8765, 72, 10)


def test_variables_set_the_center_and_options_given_win(monkeypatch, tmp_path):
    monkeypatch.setenv("OUTREACH_CENTER_DB", "postgresql://center@db.example/center")
    monkeypatch.setenv("OUTREACH_CENTER_KEY_FILE", str(tmp_path / "center.keys"))
    monkeypatch.setenv("OUTREACH_CENTER_LISTEN", "0.0.0.0:9000")
    monkeypatch.setenv("OUTREACH_CENTER_ENROL_CODE_HOURS", "24")
    s = CenterSettings.from_arguments(db=None, listen="127.0.0.1:8001", enrol_code_hours=None)
    assert s.db == "postgresql://center@db.example/center"
    assert s.key_file == tmp_path / "center.keys"
    assert (s.host, s.port) == ("127.0.0.1", 8001)  # the option given wins over the variable
    assert s.enrol_code_hours == 24


def test_every_setting_is_documented_here_and_in_the_readme():
    readme = README.read_text(encoding="utf-8")
    for name, field in CenterSettings.model_fields.items():
        assert field.description, name
        assert f"`{ENV_PREFIX}{name.upper()}`" in readme, name


@pytest.mark.parametrize(("field", "value"), [("listen", "nowhere"), ("listen", "host:99999"),
                                              ("enrol_code_hours", 99999), ("pg_schema", 'x"; DROP')])
def test_a_refused_setting_is_named_in_both_languages_without_its_value(field, value):
    with pytest.raises(ValidationError) as refused:
        CenterSettings.from_arguments(**{field: value})
    words = explain(refused.value)
    assert f"{ENV_PREFIX}{field.upper()}" in words
    assert "需要" in words
    assert "needs" in words
    assert str(value) not in words


def test_the_cli_reads_the_database_from_the_environment(tmp_path, monkeypatch, capsys):
    db = tmp_path / "from-env" / "center.db"
    monkeypatch.setenv("OUTREACH_CENTER_DB", f"sqlite://{db}")
    assert main(["center", "status"]) == 0
    assert db.is_file()
    other = tmp_path / "given" / "center.db"
    assert main(["center", "status", "--db", str(other)]) == 0  # the option wins
    assert other.is_file()


def test_the_cli_refuses_a_bad_setting_before_opening_anything(tmp_path, monkeypatch, capsys):
    db = tmp_path / "center.db"
    monkeypatch.setenv("OUTREACH_CENTER_ENROL_CODE_HOURS", "0")
    assert main(["center", "enrol", "--db", str(db), "--worker", "w1"]) == 2
    err = capsys.readouterr().err
    assert "OUTREACH_CENTER_ENROL_CODE_HOURS / --ttl-hours" in err
    assert "1 到 720" in err
    assert "from 1 to 720" in err
    assert not db.exists()
    assert main(["center", "serve", "--db", str(db), "--listen", "no-port"]) == 2
    assert "--listen" in capsys.readouterr().err
    assert not db.exists()


def test_the_cli_makes_codes_valid_for_the_hours_set(tmp_path, monkeypatch, capsys):
    db = tmp_path / "c.db"
    monkeypatch.setenv("OUTREACH_CENTER_ENROL_CODE_HOURS", "5")
    assert main(["center", "enrol", "--db", str(db), "--worker", "w1"]) == 0
    five = capsys.readouterr().out.rsplit(": ", 1)[1].strip()
    assert main(["center", "enrol", "--db", str(db), "--worker", "w1", "--ttl-hours", "2"]) == 0
    two = capsys.readouterr().out.rsplit(": ", 1)[1].strip()
    store = open_store(db)
    try:
        later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=3)
        with pytest.raises(EnrolmentRefused):
            store.enrol(two, "dev-2", "w1", bytes(32), later)
        assert store.enrol(five, "dev-5", "w1", bytes(32), later).worker_id == "w1"
    finally:
        store.close()
