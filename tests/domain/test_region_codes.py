"""Region codes: every real province prefix accepted, names for Hainan complete and consistent with stdnum."""

from __future__ import annotations

import pytest

from outreach.domain.regions import PROVINCES, REGIONS, _stdnum_name, plausible_region, region_name


def test_hainan_table_agrees_with_stdnum_history():
    hainan = {c: n for c, n in REGIONS.items() if c.startswith("46")}
    assert len(hainan) >= 60
    for code, name in hainan.items():
        assert _stdnum_name(code) == name, code


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("460000", "海南省"),
        ("460108", "海南省海口市美兰区"),
        ("460205", "海南省三亚市崖州区"),
        ("460302", "海南省三沙市西沙区"),
        ("460400", "海南省儋州市"),
        ("469002", "海南省琼海市"),
        ("469029", "海南省保亭黎族苗族自治县"),
        ("110101", "北京市东城区"),
        ("440300", "广东省深圳市"),
        ("810000", "香港特别行政区"),
    ],
)
def test_region_names(code, name):
    assert region_name(code) == name


@pytest.mark.parametrize("code", ["469099", "460999", "119999"])
def test_plausible_unknown_codes_valid_without_name(code):
    assert plausible_region(code)
    assert region_name(code) is None


@pytest.mark.parametrize("code", ["000000", "160000", "990000", "72000", "4601001", "46010a", "٤٦٠١٠٠"])
def test_implausible_codes(code):
    assert not plausible_region(code)
    assert region_name(code) is None


def test_all_province_prefixes_listed():
    expected = "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82 83"
    assert sorted(PROVINCES) == expected.split()
