"""The escape of cells a spreadsheet would run as formulas. The masking itself is the domain's
(:mod:`outreach.domain.masking`); masked exports never hold a photo or a bank account number (those columns do
not exist at all).
"""

from __future__ import annotations

#: Characters a spreadsheet treats as the start of a formula (or that hide one: tab, carriage return).
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")
#: The same as a set, for writers that test a cell's first character inline (a call per cell costs).
FORMULA_LEAD_CHARS = frozenset(FORMULA_LEADS)


def safe_cell(value: str) -> str:
    """A text cell a spreadsheet will not run: a leading ``= + - @``, tab or CR gets an apostrophe first."""
    if value and value.startswith(FORMULA_LEADS):
        return "'" + value
    return value
