"""The supervisor's center commands with input a user can get wrong: words and exit codes, nothing loaded."""

from __future__ import annotations

from pathlib import Path

import pytest

from outreach.cli.main import main

HEADER = "person_id,name,gender,birth_date,doc_type,doc_number,area_code"
ROW = "{pid},王小明,1,1950-01-01,resident_id,460106195001010019,460106"


def _load(tmp_path: Path, text: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    path = tmp_path / "people.csv"
    path.write_text(text, encoding="utf-8")
    capsys.readouterr()
    code = main(["center", "load-people", "--db", str(tmp_path / "center.db"), str(path)])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    if code:
        assert not (tmp_path / "center.db").exists()  # refused before the center is even opened: nothing loaded
    return code, captured.err


def test_a_header_only_file_is_not_success(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = _load(tmp_path, HEADER + "\n", capsys)
    assert code == 1
    assert "header but no people" in err
    assert "nothing loaded" in err


def test_an_extra_field_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = _load(tmp_path, f"{HEADER}\n{ROW.format(pid='p-1')},extra\n", capsys)
    assert code == 1
    assert "line 2" in err
    assert "more fields than the header" in err


@pytest.mark.parametrize("pid", ["x" * 10_000, "p1'; DROP TABLE people; --", "<script>", "p 1"])
def test_a_person_id_too_long_or_not_plain_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                      pid: str) -> None:
    code, err = _load(tmp_path, f"{HEADER}\n{ROW.format(pid=pid.replace(',', ''))}\n", capsys)
    assert code == 1
    assert "invalid person_id" in err
    assert pid not in err


def test_a_field_over_the_csv_limit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = _load(tmp_path, f'{HEADER}\np-1,"{"长" * 200_000}",1,1950-01-01,resident_id,x,460106\n', capsys)
    assert code == 1
    assert "field too long" in err
    code, err = _load(tmp_path, f'"{"x" * 200_000}"\n', capsys)
    assert code == 1
    assert "field too long" in err


@pytest.mark.parametrize("hours", ["-1", "0", "721", str(10**30), "many"])
def test_enrolment_code_lifetime_out_of_range(tmp_path: Path, capsys: pytest.CaptureFixture[str], hours: str) -> None:
    code = main(["center", "enrol", "--db", str(tmp_path / "center.db"), "--worker", "alice", "--ttl-hours", hours])
    captured = capsys.readouterr()
    assert code == 2
    assert "1-720 hours" in captured.err
    assert "enrolment code" not in captured.out
    assert "Traceback" not in captured.err
    assert not (tmp_path / "center.db").exists()  # no code was made


@pytest.mark.parametrize("listen", ["127.0.0.1:70000", "127.0.0.1:0", "127.0.0.1:", "nohost"])
def test_listen_port_out_of_range(tmp_path: Path, capsys: pytest.CaptureFixture[str], listen: str) -> None:
    code = main(["center", "serve", "--db", str(tmp_path / "center.db"), "--listen", listen])
    assert code == 2
    assert "port 1-65535" in capsys.readouterr().err
    assert not (tmp_path / "center.db").exists()


def test_import_with_a_reply_into_a_missing_folder_applies_nothing(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    transfer = tmp_path / "transfer.json"
    transfer.write_text("{}", encoding="utf-8")
    code = main(["center", "import", "--db", str(tmp_path / "center.db"), str(transfer),
                 "--reply", str(tmp_path / "no" / "such" / "reply.json")])
    err = capsys.readouterr().err
    assert code == 2
    assert "nothing imported" in err
    assert not (tmp_path / "center.db").exists()  # not even opened: the check comes first
