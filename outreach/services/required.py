"""Which fields of a form are required now, given what is typed so far (m11).

A field marked required in its :class:`~outreach.services.forms.FieldSpec` always is. Others become required
by the rules as the worker fills the form: a photo from the age of 7 (Art. 5) and for an exchange on expiry
(Art. 22); a guardian or agent under 16 or without full civil capacity (Art. 10), and always for a
cancellation on death (Art. 27); the agent's document and relationship once an agent is named; the new
name, document or social security number of a reissue for the key data that changed (Art. 23). The screen
marks them as they become required, so the worker is not told only after saving. The rules themselves stay
the domain's: this only reads the same ages and conditions to say so in advance.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from outreach.domain.counting import aged_under
from outreach.domain.forms import GUARDIAN_AGE, PHOTO_AGE
from outreach.domain.identity import check_identity
from outreach.services.forms import SPECS
from outreach.services.normalise import parse_date

_REISSUE_FIELD = {"name": "new_name", "doc_type": "new_doc_number", "ss_number": "new_ss_number"}


def _birth(values: Mapping[str, object], today: date) -> date | None:
    """The birth date typed, else the one the identity number encodes; None when neither says."""
    try:
        born = parse_date(values.get("birth_date"))
    except ValueError:
        born = None
    if born is None and values.get("doc_number"):
        born = check_identity(str(values["doc_number"]), today=today).birth_date
    return born if born is not None and born <= today else None


def _filled(values: Mapping[str, object], name: str) -> bool:
    return bool(str(values.get(name) or "").strip())


def required_now(kind: str, values: Mapping[str, object], today: date) -> frozenset[str]:
    """The names of the fields of form ``kind`` that must be filled in, with ``values`` as typed."""
    spec = SPECS[kind]
    names = {f.name for f in spec.fields}
    out = {f.name for f in spec.fields if f.required}
    agent_needed = spec.agent == "required"
    if kind == "card.apply":
        born = _birth(values, today)
        if born is not None and not aged_under(born, today, PHOTO_AGE):
            out.add("photo_path")
        minor = born is not None and aged_under(born, today, GUARDIAN_AGE)
        agent_needed = agent_needed or minor or values.get("lacks_full_capacity") is True
    if kind == "card.exchange" and str(values.get("reason") or "") == "1":
        out.add("photo_path")
    if kind == "card.reissue":
        changed = values.get("changed")
        for key in changed if isinstance(changed, list | tuple) else ():
            if key in _REISSUE_FIELD:
                out.add(_REISSUE_FIELD[key])
    if agent_needed and "agent_name" in names:
        out.add("agent_name")
    if agent_needed or _filled(values, "agent_name"):
        out |= {f.name for f in spec.fields if f.required_in_block and f.group == "agent"}
    return frozenset(out & names)
