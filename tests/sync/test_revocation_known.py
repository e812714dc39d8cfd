"""A revoked laptop learns it from the center's refusal and keeps the fact (the supervisor home marks it)."""

from __future__ import annotations

import pytest

from sync.client import trust
from sync.client.client import sync_once
from sync.errors import AuthRefused


def test_a_revoked_device_remembers_it(center, make_vault, people):
    v = make_vault()
    center.enrol(v)
    people.register(v, people.person())
    sync_once(v, center.url, transport=center.transport)
    assert v.get_meta(trust.META_REVOKED) is None  # a working device is not marked
    assert center.store.revoke(v.device_id, center.clock())
    with pytest.raises(AuthRefused):
        sync_once(v, center.url, transport=center.transport)
    first = v.get_meta(trust.META_REVOKED)
    assert first is not None
    with pytest.raises(AuthRefused):
        sync_once(v, center.url, transport=center.transport)
    assert v.get_meta(trust.META_REVOKED) == first  # the first refusal's time is kept
