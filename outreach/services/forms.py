"""Form descriptions: which fields each worker form has, and which event field each one fills.

A :class:`FormSpec` lists :class:`FieldSpec` in screen order; one generic UI screen renders any of them. Labels
are message keys (``form.field.<name>``); choice labels are ``choice.<group>.<value>``. Each field names its
normaliser (how the typed text becomes a value) and ``to``, the dotted path of the event field it fills, so
that :mod:`outreach.services.cards` builds every event the same way and shows a domain refusal under the field
that fills the path the refusal names. ``tests/services/test_form_specs.py`` holds the specs and the domain's
event models together.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from outreach.domain.enums import ETHNICITY_NAMES

FieldKind = Literal["text", "date", "select", "bool", "path", "multi"]
Normaliser = Literal["text", "name", "document_number", "mobile", "upper", "date", "bool", "choice", "multi",
                     "int", "photo"]
"""How the typed value is cleaned (see ``outreach.services.normalise``)."""

_BY_KIND: dict[FieldKind, Normaliser] = {
    "text": "text", "date": "date", "select": "choice", "bool": "bool", "path": "photo", "multi": "multi",
}


@dataclass(frozen=True)
class FieldSpec:
    name: str
    kind: FieldKind = "text"
    choices: tuple[str, ...] = ()
    """For select/multi: the values; label key ``choice.<choice_group>.<value>``."""
    choice_group: str = ""
    required: bool = False
    """Must not be empty (shown with a mark)."""
    required_in_block: bool = False
    """Must not be empty when the object it sits in is filled in (the agent's document number)."""
    default: str | bool = ""
    """The value shown at first, and taken when the form does not send the field."""
    article: str = ""
    group: str = "main"
    """"main" or "agent" (the agent/guardian block, shown when needed)."""
    to: str = ""
    """The dotted path of the event field this fills (``"agent.document.number"``); "" for none."""
    clean: Normaliser | None = None
    """The normaliser; None: the one of its ``kind`` (text, date, choice, bool, photo, multi)."""
    empty: str | None = None
    """The value taken when the field is sent empty (None: empty stays empty)."""
    opens: bool = False
    """This field decides whether the object it sits in exists (``agent.name`` for ``agent``): left empty, that
    object is None and the block's other fields are not read."""
    missing: str = "form.err.required"
    """The message key when a required field is empty."""

    @property
    def label_key(self) -> str:
        return f"form.field.{self.name}"

    @property
    def normaliser(self) -> Normaliser:
        return self.clean or _BY_KIND[self.kind]

    @property
    def block(self) -> str:
        """The path of the object this field sits in ("" at the top of the event)."""
        return self.to.rpartition(".")[0]


@dataclass(frozen=True)
class FormSpec:
    kind: str
    """The operation kind the form records, e.g. ``card.apply``; ``person.update``; ``visit.log``."""
    article: str
    fields: tuple[FieldSpec, ...]
    agent: Literal["none", "optional", "required"] = "none"
    """How the screen introduces the agent block (the rule itself is the domain's)."""
    notes: tuple[str, ...] = field(default=())
    """Message keys shown above the form (e.g. "done with the bank")."""
    from_person: tuple[str, ...] = ()
    """Event fields copied from the person's record of the same name (``hardship``)."""

    @property
    def title_key(self) -> str:
        return f"form.title.{self.kind}"

    def field_for(self, path: str | None) -> str:
        """The form field that fills ``path`` (a refusal's ``field``, a validation error's location): the one
        whose ``to`` is that path, else the first one inside it (``agent`` -> the agent's name), else ""."""
        if not path:
            return ""
        for f in self.fields:
            if f.to == path:
                return f.name
        for f in self.fields:
            if f.to.startswith(path + "."):
                return f.name
        return ""


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

def agent_fields(at: str) -> tuple[FieldSpec, ...]:
    """The agent/guardian block, filling the ``Agent`` at ``at`` (``agent``, or ``form.agent`` of an application).

    Left without a name, there is no agent; with one, the agent's document number and relationship are needed.
    """
    return (
        FieldSpec("agent_name", group="agent", article="10", to=f"{at}.name", clean="name", opens=True),
        FieldSpec("agent_doc_type", "select", DOC_TYPES, "doc_type", default="resident_id", group="agent",
                  to=f"{at}.document.doc_type", empty="resident_id"),
        FieldSpec("agent_doc_number", group="agent", article="10", to=f"{at}.document.number",
                  clean="document_number", required_in_block=True, missing="form.err.agent_document"),
        FieldSpec("agent_relationship", group="agent", article="10", to=f"{at}.relationship",
                  required_in_block=True),
        FieldSpec("agent_proof", "select", PROOFS, "proof", default="relationship_proof", group="agent",
                  to=f"{at}.proof", empty="relationship_proof"),
        FieldSpec("agent_mobile", group="agent", to=f"{at}.mobile", clean="mobile"),
    )


AGENT_FIELDS = agent_fields("agent")

PERSON_FIELDS = (
    FieldSpec("name", required=True, article="10", to="form.name", clean="name"),
    FieldSpec("gender", "select", GENDERS, "gender", required=True, default="1", article="10", to="form.gender"),
    FieldSpec("ethnicity", "select", ETHNICITIES, "ethnicity", required=True, default="01", article="10",
              to="form.ethnicity"),
    FieldSpec("birth_date", "date", required=True, article="10", to="form.birth_date"),
    FieldSpec("nationality", default="CHN", article="10", to="form.nationality", clean="upper", empty="CHN"),
    FieldSpec("doc_type", "select", DOC_TYPES, "doc_type", required=True, default="resident_id", article="10",
              to="form.document.doc_type"),
    FieldSpec("doc_number", required=True, article="10", to="form.document.number", clean="document_number"),
    FieldSpec("valid_from", "date", article="10", to="form.document.valid_from"),
    FieldSpec("valid_until", "date", article="10", to="form.document.valid_until"),
    FieldSpec("mobile", article="10", to="form.mobile", clean="mobile"),
    FieldSpec("occupation", article="10", to="form.occupation"),
    FieldSpec("address", article="10", to="form.address"),
    FieldSpec("photo_path", "path", article="10", to="form.photo_ref"),
)

SPECS: dict[str, FormSpec] = {
    "card.apply": FormSpec(
        "card.apply",
        "8-11",
        (
            *PERSON_FIELDS,
            FieldSpec("lacks_full_capacity", "bool", default=False, article="10", to="form.lacks_full_capacity"),
            FieldSpec("hardship", "select", HARDSHIP, "hardship", default="none", article="24", to="hardship",
                      empty="none"),
            FieldSpec("bank_account_opened", "bool", default=True, article="11", to="bank_account_opened"),
            *agent_fields("form.agent"),
        ),
        agent="optional",
        notes=("form.note.apply",),
    ),
    "card.deliver": FormSpec(
        "card.deliver",
        "12",
        (
            FieldSpec("method", "select", ("home_delivery", "in_person", "agent", "mail"), "method",
                      default="home_delivery", article="12", to="method"),
            FieldSpec("document_checked", "bool", default=True, article="12", to="document_checked"),
            FieldSpec("electronic", "bool", default=False, article="13", to="electronic"),
            *AGENT_FIELDS,
        ),
        agent="optional",
    ),
    "card.bank_activate": FormSpec(
        "card.bank_activate",
        "15",
        (
            FieldSpec("holder_present", "bool", default=True, article="15", to="holder_present"),
            FieldSpec("document_checked", "bool", default=True, article="15", to="document_checked"),
            *AGENT_FIELDS,
        ),
        agent="optional",
        notes=("form.note.bank",),
    ),
    "card.loss_temporary": FormSpec(
        "card.loss_temporary",
        "17",
        (
            FieldSpec("period", "select", ("15d", "long"), "period", default="15d", article="17", to="period"),
            FieldSpec("identity_verified", "bool", default=True, article="17", to="identity_verified"),
        ),
    ),
    "card.loss_formal": FormSpec(
        "card.loss_formal", "18",
        (FieldSpec("document_checked", "bool", default=True, article="18", to="document_checked"),),
    ),
    "card.unlock": FormSpec(
        "card.unlock",
        "19",
        (
            FieldSpec("document_checked", "bool", default=True, article="19", to="document_checked"),
            FieldSpec("card_presented", "bool", default=True, article="19", to="card_presented"),
        ),
    ),
    "card.replace": FormSpec(
        "card.replace",
        "20",
        (
            FieldSpec("document_checked", "bool", default=True, article="20", to="document_checked"),
            FieldSpec("generation", "select", ("3", "2"), "generation", default="3", to="generation"),
        ),
        from_person=("hardship",),
    ),
    "card.exchange": FormSpec(
        "card.exchange",
        "21-22",
        (
            FieldSpec("reason", "select", tuple(str(i) for i in range(1, 8)), "exchange_reason", required=True,
                      default="1", article="21", to="reason", clean="int"),
            FieldSpec("photo_path", "path", article="22", to="photo_ref"),
            FieldSpec("document_checked", "bool", default=True, article="22", to="document_checked"),
            FieldSpec("card_presented", "bool", default=True, article="22", to="card_presented"),
        ),
        from_person=("hardship",),
    ),
    "card.reissue": FormSpec(
        "card.reissue",
        "23",
        (
            FieldSpec("changed", "multi", ("name", "doc_type", "ss_number"), "key_field", required=True,
                      article="23", to="changed"),
            FieldSpec("evidence", "select", ("household_register", "change_certificate"), "evidence",
                      default="household_register", article="23", to="evidence"),
            FieldSpec("new_name", article="23", to="new_name", clean="name"),
            FieldSpec("new_doc_type", "select", ("", *DOC_TYPES), "doc_type", default="", article="23",
                      to="new_document.doc_type", empty="resident_id"),
            FieldSpec("new_doc_number", article="23", to="new_document.number", clean="document_number",
                      opens=True),
            FieldSpec("new_ss_number", article="23", to="new_ss_number", clean="document_number"),
            FieldSpec("document_checked", "bool", default=True, article="23", to="document_checked"),
        ),
        from_person=("hardship",),
    ),
    "person.update": FormSpec(
        "person.update",
        "23",
        (
            FieldSpec("mobile", article="23", to="mobile", clean="mobile"),
            FieldSpec("occupation", article="23", to="occupation"),
            FieldSpec("address", article="23", to="address"),
        ),
        notes=("form.note.update",),
    ),
    "card.cancel": FormSpec(
        "card.cancel",
        "27-28",
        (
            FieldSpec("deceased_on", "date", required=True, article="27", to="deceased_on"),
            FieldSpec("proof", "select", ("death_certificate", "household_cancellation", "other_proof", "pledge"),
                      "cancel_proof", default="death_certificate", article="27", to="proof"),
            FieldSpec("card_presented", "bool", default=True, article="27", to="card_presented"),
            *AGENT_FIELDS,
        ),
        agent="required",
        notes=("form.note.cancel",),
    ),
    "card.return_old": FormSpec(
        "card.return_old", "25", (FieldSpec("returned", "bool", default=True, article="25", to="returned"),),
        from_person=("hardship",),
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
