"""``outreach id check`` run as a real command in a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "outreach.cli.main", "id", "check", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_valid_number_exit_0_bilingual_chinese_first():
    result = run("460100199001010019")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("有效 / valid")
    assert "居民身份证 / resident_id" in out
    assert "460100 海南省海口市" in out
    assert "1990-01-01" in out
    assert "男 / male" in out


def test_invalid_number_exit_1_says_what_is_wrong():
    result = run("46010019900230001x")
    assert result.returncode == 1
    assert "出生日期 1990-02-30 不存在 / birth date 1990-02-30 does not exist" in result.stdout
    assert "校验位应为" in result.stdout


@pytest.mark.parametrize(
    ("args", "code", "doc_type"),
    [
        (("82000019920202008x", "--json"), 0, "hkmo_tw_residence_permit"),
        (("E12345678", "--type", "passport", "--json"), 0, "passport"),
        (
            ("460100199001010019", "--type", "hkmo_tw_residence_permit", "--json"),
            1,
            "hkmo_tw_residence_permit",
        ),
    ],
)
def test_json_output(args, code, doc_type):
    result = run(*args)
    assert result.returncode == code
    data = json.loads(result.stdout)
    assert data["doc_type"] == doc_type
    assert data["valid"] is (code == 0)


def test_bad_type_is_a_usage_error():
    assert run("460100199001010019", "--type", "nonsense").returncode == 2


@pytest.mark.parametrize("number", ["46010019450312017", "4601001945031201799"])
def test_art_10_without_type_a_citizen_number_one_digit_short_or_long_is_a_malformed_citizen_number(number):
    result = run(number, "--json")
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert data["doc_type"] == "resident_id"  # not a valid passport
    assert [p["code"] for p in data["problems"]] == ["length"]
    assert f"现为 {len(number)} 位" in data["problems"][0]["message_zh"]


def test_art_10_a_passport_of_17_letters_and_digits_is_still_a_passport():
    assert json.loads(run("E1234567890123456", "--json").stdout)["doc_type"] == "passport"
