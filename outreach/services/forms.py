"""Form descriptions: which fields each worker form has, so that one generic UI screen renders any of them.

A :class:`FormSpec` lists :class:`FieldSpec` in screen order. Labels are message keys
(``form.field.<name>``); choice labels are ``choice.<group>.<value>``. The services turn the typed values
(always strings, booleans for checkboxes) into domain events in :mod:`outreach.services.cards`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from outreach.domain.enums import ETHNICITY_NAMES

FieldKind = Literal["text", "date", "select", "bool", "path", "multi"]


@dataclass(frozen=True)
class FieldSpec:
    name: str
    kind: FieldKind = "text"
    choices: tuple[str, ...] = ()
    """For select/multi: the values; label key ``choice.<choice_group>.<value>``."""
    choice_group: str = ""
    required: bool = False
    default: str | bool = ""
    article: str = ""
    group: str = "main"
    """"main" or "agent" (the agent/guardian block, shown when needed)."""

    @property
    def label_key(self) -> str:
        return f"form.field.{self.name}"


@dataclass(frozen=True)
class FormSpec:
    kind: str
    """The operation kind the form records, e.g. ``card.apply``; ``person.update``; ``visit.log``."""
    article: str
    fields: tuple[FieldSpec, ...]
    agent: Literal["none", "optional", "required"] = "none"
    notes: tuple[str, ...] = field(default=())
    """Message keys shown above the form (e.g. "done with the bank")."""

    @property
    def title_key(self) -> str:
        return f"form.title.{self.kind}"


DOC_TYPES = (
    "resident_id",
    "household_register",
    "hkmo_tw_residence_permit",
    "hkmo_travel_permit",
    "tw_travel_permit",
    "passport",
    "foreign_permanent_residence",
)
PROOFS = ("relationship_proof", "power_of_attorney", "guardianship")
HARDSHIP = ("none", "extremely_poor", "minimum_allowance")
GENDERS = ("1", "2", "9")
ETHNICITIES = tuple(ETHNICITY_NAMES)  # 01-56, 97, 98, 99 (GB 3304)

AGENT_FIELDS = (
    FieldSpec("agent_name", group="agent", article="10"),
    FieldSpec("agent_doc_type", "select", DOC_TYPES, "doc_type", default="resident_id", group="agent"),
    FieldSpec("agent_doc_number", group="agent", article="10"),
    FieldSpec("agent_relationship", group="agent"),
    FieldSpec("agent_proof", "select", PROOFS, "proof", default="relationship_proof", group="agent"),
    FieldSpec("agent_mobile", group="agent"),
)

PERSON_FIELDS = (
    FieldSpec("name", required=True, article="10"),
    FieldSpec("gender", "select", GENDERS, "gender", required=True, default="1", article="10"),
    FieldSpec("ethnicity", "select", ETHNICITIES, "ethnicity", required=True, default="01", article="10"),
    FieldSpec("birth_date", "date", required=True, article="10"),
    FieldSpec("nationality", default="CHN", article="10"),
    FieldSpec("doc_type", "select", DOC_TYPES, "doc_type", required=True, default="resident_id", article="10"),
    FieldSpec("doc_number", required=True, article="10"),
    FieldSpec("valid_from", "date", article="10"),
    FieldSpec("valid_until", "date", article="10"),
    FieldSpec("mobile", article="10"),
    FieldSpec("occupation", article="10"),
    FieldSpec("address", article="10"),
    FieldSpec("photo_path", "path", article="10"),
)

SPECS: dict[str, FormSpec] = {
    "card.apply": FormSpec(
        "card.apply",
        "8-11",
        (
            *PERSON_FIELDS,
            FieldSpec("lacks_full_capacity", "bool", default=False, article="10"),
            FieldSpec("hardship", "select", HARDSHIP, "hardship", default="none", article="24"),
            FieldSpec("bank_account_opened", "bool", default=True, article="11"),
            *AGENT_FIELDS,
        ),
        agent="optional",
        notes=("form.note.apply",),
    ),
    "card.deliver": FormSpec(
        "card.deliver",
        "12",
        (
            FieldSpec("method", "select", ("home_delivery", "in_person", "agent", "mail"), "method",
                      default="home_delivery", article="12"),
            FieldSpec("document_checked", "bool", default=True, article="12"),
            FieldSpec("electronic", "bool", default=False, article="13"),
            *AGENT_FIELDS,
        ),
        agent="optional",
    ),
    "card.bank_activate": FormSpec(
        "card.bank_activate",
        "15",
        (
            FieldSpec("holder_present", "bool", default=True, article="15"),
            FieldSpec("document_checked", "bool", default=True, article="15"),
            *AGENT_FIELDS,
        ),
        agent="optional",
        notes=("form.note.bank",),
    ),
    "card.loss_temporary": FormSpec(
        "card.loss_temporary",
        "17",
        (
            FieldSpec("period", "select", ("15d", "long"), "period", default="15d", article="17"),
            FieldSpec("identity_verified", "bool", default=True, article="17"),
        ),
    ),
    "card.loss_formal": FormSpec(
        "card.loss_formal", "18", (FieldSpec("document_checked", "bool", default=True, article="18"),)
    ),
    "card.unlock": FormSpec(
        "card.unlock",
        "19",
        (
            FieldSpec("document_checked", "bool", default=True, article="19"),
            FieldSpec("card_presented", "bool", default=True, article="19"),
        ),
    ),
    "card.replace": FormSpec(
        "card.replace",
        "20",
        (
            FieldSpec("document_checked", "bool", default=True, article="20"),
            FieldSpec("generation", "select", ("3", "2"), "generation", default="3"),
        ),
    ),
    "card.exchange": FormSpec(
        "card.exchange",
        "21-22",
        (
            FieldSpec("reason", "select", tuple(str(i) for i in range(1, 8)), "exchange_reason", required=True,
                      default="1", article="21"),
            FieldSpec("photo_path", "path", article="22"),
            FieldSpec("document_checked", "bool", default=True, article="22"),
            FieldSpec("card_presented", "bool", default=True, article="22"),
        ),
    ),
    "card.reissue": FormSpec(
        "card.reissue",
        "23",
        (
            FieldSpec("changed", "multi", ("name", "doc_type", "ss_number"), "key_field", required=True,
                      article="23"),
            FieldSpec("evidence", "select", ("household_register", "change_certificate"), "evidence",
                      default="household_register", article="23"),
            FieldSpec("new_doc_type", "select", ("", *DOC_TYPES), "doc_type", default="", article="23"),
            FieldSpec("new_doc_number", article="23"),
            FieldSpec("document_checked", "bool", default=True, article="23"),
        ),
    ),
    "person.update": FormSpec(
        "person.update",
        "23",
        (
            FieldSpec("mobile", article="23"),
            FieldSpec("occupation", article="23"),
            FieldSpec("address", article="23"),
        ),
        notes=("form.note.update",),
    ),
    "card.cancel": FormSpec(
        "card.cancel",
        "27-28",
        (
            FieldSpec("deceased_on", "date", required=True, article="27"),
            FieldSpec("proof", "select", ("death_certificate", "household_cancellation", "other_proof", "pledge"),
                      "cancel_proof", default="death_certificate", article="27"),
            FieldSpec("card_presented", "bool", default=True, article="27"),
            *AGENT_FIELDS,
        ),
        agent="required",
        notes=("form.note.cancel",),
    ),
    "card.return_old": FormSpec(
        "card.return_old", "25", (FieldSpec("returned", "bool", default=True, article="25"),)
    ),
}

#: Order of the lifecycle forms in menus.
EVENT_ORDER = (
    "card.apply",
    "card.deliver",
    "card.bank_activate",
    "card.loss_temporary",
    "card.loss_formal",
    "card.unlock",
    "card.replace",
    "card.exchange",
    "card.reissue",
    "card.return_old",
    "person.update",
    "card.cancel",
)

VISIT_OUTCOMES = ("done", "nobody_home", "refused", "come_back", "moved", "deceased")
