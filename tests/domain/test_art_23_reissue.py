"""Art. 23: reissue on a key data change (name, document type, SSN) with evidence; non-key data changes are
plain ``person.update`` operations, not card events."""

from __future__ import annotations

import pytest
from domain_factory import card, ctx, state

from outreach.domain import CardReissue, CardStatus, decide


@pytest.mark.parametrize(
    ("event", "code"),
    [
        (CardReissue(changed=["name"], evidence="household_register"), None),
        (CardReissue(changed=["doc_type", "ss_number"], evidence="change_certificate"), None),
        (CardReissue(changed=["name"], evidence=None), "change_evidence_required"),
        (
            CardReissue(changed=["name"], evidence="change_certificate", document_checked=False),
            "document_not_checked",
        ),
    ],
)
def test_art_23_reissue_needs_evidence(event, code):
    decision = decide(state(card()), event, ctx())
    if code is None:
        assert decision.accepted
        assert decision.state.cards[-1].reason == "reissue"
        assert decision.fee.charged
    else:
        assert decision.refusal.code == code
        assert decision.refusal.article == "23"


def test_art_23_only_key_fields_are_reissue_reasons():
    with pytest.raises(ValueError, match="changed"):
        CardReissue(changed=["address"], evidence="change_certificate")
    with pytest.raises(ValueError, match="changed"):
        CardReissue(changed=[], evidence="change_certificate")


def test_art_23_lost_card_cannot_be_reissued():
    assert (
        decide(
            state(card(CardStatus.LOST)), CardReissue(changed=["name"], evidence="household_register"), ctx()
        ).refusal.code
        == "card_lost_use_replace"
    )
