"""The form specs and the domain's models agree: every form field fills an event field that exists, and every
event field the model requires is filled by the form (or copied from the person). A new event is then its model,
its rule, its form spec and its catalogue texts; this test says when the spec and the model drift apart."""

from __future__ import annotations

import types
import typing

import pytest
from pydantic import BaseModel

from outreach.domain.events import LifecycleEvent
from outreach.domain.models import Person
from outreach.services.forms import SPECS, FormSpec

EVENTS: dict[str, type[BaseModel]] = {
    model.model_fields["kind"].default: model for model in typing.get_args(typing.get_args(LifecycleEvent)[0])
}


def _model_of(annotation: object) -> type[BaseModel] | None:
    """The pydantic model inside ``X``, ``X | None``, ``Annotated[X, ...]``; None for a plain value."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (typing.Union, types.UnionType, typing.Annotated):
        for arg in typing.get_args(annotation):
            found = _model_of(arg)
            if found is not None:
                return found
    return None


def _resolve(model: type[BaseModel], path: str) -> bool:
    node: type[BaseModel] | None = model
    for part in path.split("."):
        if node is None or part not in node.model_fields:
            return False
        node = _model_of(node.model_fields[part].annotation)
    return True


def _required(model: type[BaseModel], prefix: str = "") -> list[str]:
    return [f"{prefix}{name}" for name, info in model.model_fields.items() if info.is_required() and name != "kind"]


def _model_for(spec: FormSpec) -> type[BaseModel]:
    return Person if spec.kind == "person.update" else EVENTS[spec.kind]


@pytest.mark.parametrize("kind", sorted(SPECS))
def test_every_form_field_fills_a_field_of_its_model(kind):
    spec = SPECS[kind]
    model = _model_for(spec)
    wrong = [(f.name, f.to) for f in spec.fields if not f.to or not _resolve(model, f.to)]
    wrong += [(name, name) for name in spec.from_person if name not in model.model_fields]
    assert wrong == [], f"{kind}: these fields fill nothing in {model.__name__}"


@pytest.mark.parametrize("kind", sorted(k for k in SPECS if k != "person.update"))
def test_every_required_event_field_is_filled_by_the_form(kind):
    spec = SPECS[kind]
    filled = {f.to for f in spec.fields} | set(spec.from_person)
    parents = {p for f in spec.fields for p in _prefixes(f.to)}
    missing = [name for name in _required(EVENTS[kind]) if name not in filled and name not in parents]
    # inside every object the form fills, the required fields are filled too (an agent's name, a document's number)
    for parent in sorted(parents):
        inner = _inner_model(EVENTS[kind], parent)
        if inner is not None:
            missing += [name for name in _required(inner, f"{parent}.") if name not in filled and name not in parents]
    assert missing == [], f"{kind}: the form leaves these required event fields empty"


def _prefixes(path: str) -> list[str]:
    parts = path.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def _inner_model(model: type[BaseModel], path: str) -> type[BaseModel] | None:
    node: type[BaseModel] | None = model
    for part in path.split("."):
        assert node is not None
        node = _model_of(node.model_fields[part].annotation)
    return node


def test_every_event_the_worker_records_has_a_form():
    device_kinds = {k for k in EVENTS if k not in ("card.issue", "card.suspend", "card.lift_suspension", "card.recall",
                                                 "card.lift_temporary")}
    assert device_kinds <= set(SPECS)


def test_the_check_catches_a_spec_that_names_a_missing_field():
    assert _resolve(EVENTS["card.cancel"], "agent.document.number")
    assert not _resolve(EVENTS["card.cancel"], "agent.document.numbr")
    assert _required(EVENTS["card.cancel"]) == ["agent", "deceased_on", "proof"]
