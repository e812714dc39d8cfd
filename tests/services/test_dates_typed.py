"""m6: a date typed the ways people write it is read the same everywhere (forms, the export command line)."""

from __future__ import annotations

import argparse
from datetime import date

import pytest

from outreach.cli.export_cmd import _date as cli_date
from outreach.services.normalise import parse_date

SAME_DAY = ["2018-05-06", "2018-5-6", "2018/05/06", "2018/5/6", "2018.5.6", "2018.05.06", "20180506",
            "2018年5月6日", "２０１８/５/６", " 2018-05-06 "]


@pytest.mark.parametrize("typed", SAME_DAY)
def test_the_usual_ways_of_writing_a_date_give_the_same_day(typed):
    assert parse_date(typed) == date(2018, 5, 6)
    assert cli_date(typed.strip()) == date(2018, 5, 6)


@pytest.mark.parametrize("typed", ["2018-02-30", "06/05/2018", "6.5.2018", "2018-13-01", "201856", "昨天",
                                   "2018-5", "2018/5/6/7"])
def test_anything_else_is_refused(typed):
    with pytest.raises(ValueError):  # noqa: PT011 - the form turns it into form.err.date
        parse_date(typed)
    with pytest.raises(argparse.ArgumentTypeError):
        cli_date(typed)


def test_empty_is_no_date():
    assert parse_date("") is None
    assert parse_date(None) is None
