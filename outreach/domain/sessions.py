"""Employer bulk activation days (Art. 15 para. 2; Art. 9 and 12: an employer applies and collects for its
staff): the session's records as they travel in the operation log. Pure: no I/O.

A session is an ordinary subject of the log, ``session:<session_id>``; its operations are

``session.plan``
    ``payload["session"]``: a :class:`SessionPlan` (first plan and every later change of it; the latest wins).
``session.roster``
    ``payload["roster"]``: a :class:`Roster` revision. A revision replaces the previous one whole (a corrected
    file imported again updates the roster, it never duplicates it); rows are keyed by ``person_id``.
``session.close``
    ``payload["close"]``: a :class:`CloseManifest`, signed as any operation is (by the device key).

The card work done at the table is the same ``card.bank_activate`` / ``card.deliver`` / ``card.apply`` a home
visit makes, on the person's subject, with ``payload["session_id"]`` naming the session (the event itself is
unchanged, so ``decide()`` checks it exactly as at a home visit).

统一社会信用代码 (GB 32100-2015): 18 characters from ``0-9 A-H J-N P-R T U W-Y``; position 1 the registering
authority (1-9, A, N, Y), position 2 the kind of body, positions 3-8 the administrative division (digits),
9-17 the organisation code, 18 the check character (mod 31). python-stdnum's ``cn.uscc`` computes the check
character but refuses a first character A, N or Y, which the standard allows; so the positions are checked here
and only the check character is left to stdnum.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from stdnum.cn import uscc as _uscc

from outreach.domain.models import Notes, ShortText, new_id

#: The operation kinds of a session (subject ``session:<id>``).
SESSION_KINDS: frozenset[str] = frozenset({"session.plan", "session.roster", "session.close"})
#: Prefix of a session's subject in the log.
SUBJECT_PREFIX = "session:"

_USCC_RE = re.compile(r"^[1-9ANY][0-9A-HJ-NP-RTUW-Y][0-9]{6}[0-9A-HJ-NP-RTUW-Y]{9}[0-9A-HJ-NP-RTUW-Y]$")


def normalise_credit_code(value: str) -> str:
    """Upper case, spaces and dashes removed (as HR often types it)."""
    return re.sub(r"[\s\-]", "", value).upper()


def credit_code_problem(value: str) -> tuple[str, str] | None:
    """None when ``value`` (normalised) is a valid 统一社会信用代码; else (zh, en) saying what is wrong."""
    code = normalise_credit_code(value)
    if len(code) != 18:
        return ("统一社会信用代码应为18位", "a unified social credit code has 18 characters")
    if not _USCC_RE.match(code):
        return ("统一社会信用代码含有不允许的字符或位置不符（第1位登记管理部门、第3-8位行政区划代码）",
                "the unified social credit code has a character not allowed in its position "
                "(1st: registering authority, 3rd-8th: division code)")
    if _uscc.calc_check_digit(code[:17]) != code[17]:
        return ("统一社会信用代码校验位不符，请核对", "the unified social credit code's check character is wrong")
    return None


def _credit_code(value: str) -> str:
    code = normalise_credit_code(value)
    problem = credit_code_problem(code)
    if problem:
        raise ValueError(problem[1])
    return code


CreditCode = Annotated[str, AfterValidator(_credit_code)]


def subject_of(session_id: str) -> str:
    return SUBJECT_PREFIX + session_id


class Employer(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: ShortText = Field(min_length=1)
    credit_code: CreditCode


class SessionPlan(BaseModel):
    """Who, where, when: the employer, the venue, the day, the operating workers and the bank branch."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    session_id: str = Field(default_factory=new_id)
    employer: Employer
    venue: ShortText = Field(min_length=1)
    day: date
    workers: tuple[ShortText, ...] = Field(min_length=1)
    bank_branch: ShortText = Field(min_length=1)
    note: Notes = ""
    cancelled: bool = False


#: What a roster person needs at the session (computed when preparing; see the service).
Need = Literal["activation", "hand_over", "application", "blocked", "done", "unknown"]


class RosterEntry(BaseModel):
    """One staff member on the employer's roster, matched to (or registered as) a person of the log."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    person_id: str
    row: int = Field(ge=0, description="Row number in the imported file (0: added at the table).")
    department: ShortText = ""
    walk_in: bool = False


class Roster(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    revision: int = Field(ge=1)
    source_sha256: str = Field(default="", max_length=64, description="SHA-256 of the imported file.")
    entries: tuple[RosterEntry, ...]


#: How each roster person ended the session. ``roster = activated + handed_over + applied + absent + exception``.
Outcome = Literal["activated", "handed_over", "applied", "absent", "exception"]


class CloseLine(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    person_id: str
    outcome: Outcome
    reason: ShortText = ""


class CloseManifest(BaseModel):
    """The reconciliation at close and every operation of the session (op_id and hash), from all laptops whose
    work this laptop had when it closed. The center compares it with the operations it holds."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    session_id: str
    roster_revision: int = Field(ge=1)
    closed_on: date
    lines: tuple[CloseLine, ...]
    operations: tuple[tuple[str, str], ...] = Field(description="(op_id, hash) of every session operation.")

    def counts(self) -> dict[str, int]:
        out = {k: 0 for k in ("activated", "handed_over", "applied", "absent", "exception")}
        for line in self.lines:
            out[line.outcome] += 1
        return out
